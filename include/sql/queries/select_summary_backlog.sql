-- Live motions with text and no summary for (current text hash, prompt version, schema version),
-- or only an extractive one while a model chain is configured (%(replace_extractive)s), not
-- quarantined for this prompt key, optionally within [since, until) or among ids.
SELECT m.id::text AS id
FROM motions m
LEFT JOIN motion_summaries s ON s.motion_id = m.id AND s.text_hash = m.embed_hash
     AND s.prompt_version = %(prompt_version)s AND s.schema_version = %(schema_version)s
     AND NOT (%(replace_extractive)s AND s.status = 'extractive')
LEFT JOIN summary_failures f ON f.motion_id = m.id AND f.prompt_key = %(prompt_key)s
     AND f.text_hash = m.embed_hash AND f.quarantined
WHERE NOT m.deleted AND m.body_text IS NOT NULL AND s.motion_id IS NULL AND f.motion_id IS NULL
  AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
  AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
  AND (%(ids)s::uuid[] IS NULL OR m.id = ANY(%(ids)s::uuid[]))
ORDER BY m.started_on DESC NULLS LAST, m.id
