-- A subscription's progress: arrivals up to upto covered; period set only when a digest went out.
UPDATE alert_subscriptions SET sent_seq = %(upto)s, sent_period = coalesce(%(period)s, sent_period)
WHERE id = %(id)s::uuid
