-- An address's unconfirmed requests (in any capitals: one mailbox to the servers that deliver it): mailed
-- within the hour, still open (a week), and whether this request would mail nothing anyway (this very
-- address confirmed already, or mailed within the hour).
SELECT count(*) FILTER (WHERE confirmed_at IS NULL AND requested_at > now() - interval '1 hour') AS recent,
       count(*) FILTER (WHERE confirmed_at IS NULL AND (
  -- include: alert_request_open
       )) AS open,
       count(*) FILTER (WHERE email = %(email)s AND kind = %(kind)s AND spec = %(spec)s::jsonb
                          AND (confirmed_at IS NOT NULL OR requested_at > now() - interval '1 hour')) AS quiet
FROM alert_subscriptions WHERE lower(email) = lower(%(email)s)
