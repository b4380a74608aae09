SELECT m.id::text AS id, m.body_text, m.title, m.dossier_title, m.embed_hash AS content_hash
FROM motions m
LEFT JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
     AND e.dims = coalesce((SELECT em.dims FROM embedding_models em WHERE em.model = %(model)s), e.dims)
WHERE m.id = ANY(%(ids)s::uuid[]) AND NOT m.deleted AND m.body_text IS NOT NULL AND e.motion_id IS NULL
ORDER BY m.id
