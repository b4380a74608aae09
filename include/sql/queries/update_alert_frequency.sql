UPDATE alert_subscriptions SET frequency = %(frequency)s WHERE id = %(id)s::uuid RETURNING id::text AS id
