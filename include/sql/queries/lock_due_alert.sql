-- One due subscription, locked until its digest is sent and recorded (another sender skips it).
SELECT id::text AS id, email, kind, spec, frequency, sent_seq,
       CASE frequency WHEN 'daily' THEN %(day)s ELSE %(week)s END AS period
FROM alert_subscriptions
WHERE id = %(id)s::uuid AND confirmed_at IS NOT NULL
  -- include: alert_due
FOR UPDATE SKIP LOCKED
