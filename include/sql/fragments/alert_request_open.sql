-- Whether an unconfirmed request still waits for its confirmation: asked within the week (fragment
-- alert_request_open: the one definition for confirm_alert_subscription, select_alert_subscription,
-- count_alert_requests and delete_stale_alert_requests; an expression, put between parentheses).
requested_at >= now() - interval '7 days'
