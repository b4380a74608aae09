-- A subscription's progress: arrivals up to upto covered (never moved back: a concurrent run with a
-- later watermark may have covered more); period and day (never moved back) set only when a digest
-- went out.
UPDATE alert_subscriptions SET sent_seq = greatest(sent_seq, %(upto)s), sent_period = coalesce(%(period)s, sent_period),
       sent_on = CASE WHEN %(period)s::text IS NULL THEN sent_on ELSE greatest(sent_on, %(day)s::date) END
WHERE id = %(id)s::uuid
