SELECT id::text AS id, email, kind, spec, frequency, requested_at, confirmed_at, sent_period
FROM alert_subscriptions WHERE id = %(id)s::uuid
