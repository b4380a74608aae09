SELECT count(*) AS with_text, count(e.motion_id) AS embedded
FROM motions m
LEFT JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
     AND e.dims = coalesce((SELECT em.dims FROM embedding_models em WHERE em.model = %(model)s), e.dims)
WHERE NOT m.deleted AND m.body_text IS NOT NULL
