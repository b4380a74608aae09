-- A subscription's progress: arrivals up to upto covered (never moved back: a concurrent run with a
-- later watermark may have covered more); period set only when a digest went out.
UPDATE alert_subscriptions SET sent_seq = greatest(sent_seq, %(upto)s), sent_period = coalesce(%(period)s, sent_period)
WHERE id = %(id)s::uuid
