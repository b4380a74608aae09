-- Live motions with text and no vector for (model, current content hash), not quarantined,
-- optionally dated within [since, until).
SELECT m.id::text AS id
FROM motions m
LEFT JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
     AND e.dims = coalesce((SELECT em.dims FROM embedding_models em WHERE em.model = %(model)s), e.dims)
LEFT JOIN embedding_failures f ON f.motion_id = m.id AND f.model = %(model)s
     AND f.content_hash = m.embed_hash AND f.quarantined
WHERE NOT m.deleted AND m.body_text IS NOT NULL AND e.motion_id IS NULL AND f.motion_id IS NULL
  AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
  AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
  AND (%(ids)s::uuid[] IS NULL OR m.id = ANY(%(ids)s::uuid[]))
ORDER BY m.id
