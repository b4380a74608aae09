-- A subscription as its owner sees it; expired: an unconfirmed request whose week has passed.
SELECT id::text AS id, email, kind, spec, frequency, requested_at, confirmed_at, sent_period,
       confirmed_at IS NULL AND NOT (
  -- include: alert_request_open
       ) AS expired
FROM alert_subscriptions WHERE id = %(id)s::uuid
