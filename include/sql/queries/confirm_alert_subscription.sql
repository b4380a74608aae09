-- The confirmation link: confirmed from now on (again: no change); its first digest covers what
-- arrives after this moment. A request unconfirmed for a week has expired (its address is deleted).
UPDATE alert_subscriptions SET confirmed_at = coalesce(confirmed_at, now()),
       sent_seq = coalesce(sent_seq, (SELECT coalesce(max(seq), 0) FROM alert_arrivals))
WHERE id = %(id)s::uuid AND (confirmed_at IS NOT NULL OR (
  -- include: alert_request_open
))
RETURNING id::text AS id
