-- An address's unconfirmed requests: mailed within the hour, still open (a week), and whether this
-- request would mail nothing anyway (confirmed already, or mailed within the hour).
SELECT count(*) FILTER (WHERE confirmed_at IS NULL AND requested_at > now() - interval '1 hour') AS recent,
       count(*) FILTER (WHERE confirmed_at IS NULL AND requested_at > now() - interval '7 days') AS open,
       count(*) FILTER (WHERE kind = %(kind)s AND spec = %(spec)s::jsonb
                          AND (confirmed_at IS NOT NULL OR requested_at > now() - interval '1 hour')) AS quiet
FROM alert_subscriptions WHERE email = %(email)s
