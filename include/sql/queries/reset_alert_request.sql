-- Its confirmation could not be sent: the next request may mail it at once.
UPDATE alert_subscriptions SET requested_at = now() - interval '2 hours'
WHERE id = %(id)s::uuid AND confirmed_at IS NULL
RETURNING id::text AS id
