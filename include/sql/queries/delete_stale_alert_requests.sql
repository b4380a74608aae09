-- Requests nobody confirmed within a week: their addresses are not kept.
DELETE FROM alert_subscriptions WHERE confirmed_at IS NULL AND NOT (
  -- include: alert_request_open
)
