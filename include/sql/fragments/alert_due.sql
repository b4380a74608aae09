-- Whether a subscription's digest is due on day %(day)s (fragment alert_due: the one definition for
-- select_due_alerts and lock_due_alert; it follows a WHERE condition): none sent yet, or the last
-- one on an earlier day (daily) or in an earlier ISO week (weekly).
  AND (sent_on IS NULL OR CASE frequency WHEN 'daily' THEN sent_on < %(day)s::date
                               ELSE date_trunc('week', sent_on) < date_trunc('week', %(day)s::date) END)
