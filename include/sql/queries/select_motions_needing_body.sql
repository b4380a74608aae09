-- Live motions whose text is missing or stale (the document version changed), not given up on,
-- optionally within a date window [since, until).
SELECT m.id::text AS id, m.document_id::text AS document_id, m.document_versie_id::text AS versie_id,
       coalesce(s.failures, 0) AS failures
FROM motions m
LEFT JOIN body_fetch_state s ON s.motion_id = m.id AND s.versie_id IS NOT DISTINCT FROM m.document_versie_id
WHERE NOT m.deleted
  AND m.document_versie_id IS NOT NULL
  AND m.body_versie_id IS DISTINCT FROM m.document_versie_id
  AND coalesce(s.failures, 0) < %(max_failures)s
  AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
  AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
ORDER BY m.started_on DESC NULLS LAST, m.id
LIMIT %(limit)s
