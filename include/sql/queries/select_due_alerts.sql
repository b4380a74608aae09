-- Confirmed subscriptions whose digest of this day (daily) or week (weekly) has not been sent.
SELECT id::text AS id FROM alert_subscriptions
WHERE confirmed_at IS NOT NULL
  AND sent_period IS DISTINCT FROM CASE frequency WHEN 'daily' THEN %(day)s ELSE %(week)s END
ORDER BY id
