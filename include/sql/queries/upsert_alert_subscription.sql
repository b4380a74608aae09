-- A reader asks to follow something: a new request, or the same one again (its confirmation is
-- mailed again at most once an hour; a confirmed subscription keeps its frequency: that changes
-- only through its own signed link). mail: whether a confirmation must be sent now.
WITH before AS (SELECT requested_at FROM alert_subscriptions
                WHERE email = %(email)s AND kind = %(kind)s AND spec = %(spec)s::jsonb)
INSERT INTO alert_subscriptions AS s (id, email, kind, spec, frequency)
VALUES (%(id)s, %(email)s, %(kind)s, %(spec)s::jsonb, %(frequency)s)
ON CONFLICT (email, kind, spec) DO UPDATE SET
    frequency = CASE WHEN s.confirmed_at IS NULL THEN EXCLUDED.frequency ELSE s.frequency END,
    requested_at = CASE WHEN s.confirmed_at IS NULL AND s.requested_at < now() - interval '1 hour' THEN now()
                        ELSE s.requested_at END
RETURNING s.id::text AS id, s.confirmed_at,
          s.confirmed_at IS NULL AND s.requested_at IS DISTINCT FROM (SELECT requested_at FROM before) AS mail
