-- 025 (idempotent): the day of a subscription's last digest (its run's logical day, Amsterdam), so
-- a digest is due only for a later day (daily) or a later ISO week (weekly): clearing an older
-- day's run after a later one sent, or switching daily/weekly on a day a digest went out, sends
-- no second digest. Filled from sent_period (a week: its Monday).
ALTER TABLE alert_subscriptions ADD COLUMN IF NOT EXISTS sent_on date;
UPDATE alert_subscriptions
SET sent_on = CASE WHEN sent_period ~ '^\d{4}-\d{2}-\d{2}$' THEN sent_period::date
                   ELSE to_date(sent_period, 'IYYY-"W"IW') END
WHERE sent_on IS NULL AND sent_period ~ '^\d{4}-(\d{2}-\d{2}|W\d{2})$';
