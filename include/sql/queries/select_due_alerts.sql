-- Confirmed subscriptions whose digest is due on day %(day)s: none sent yet, or the last one on an
-- earlier day (daily) or in an earlier ISO week (weekly). A run for an older day than the last
-- digest's finds none due.
SELECT id::text AS id FROM alert_subscriptions
WHERE confirmed_at IS NOT NULL
  -- include: alert_due
ORDER BY id
