DELETE FROM alert_subscriptions WHERE id = %(id)s::uuid RETURNING id::text AS id
