SELECT count(*) AS with_text, count(e.motion_id) AS embedded
FROM motions m
LEFT JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.content_hash
WHERE NOT m.deleted AND m.body_text IS NOT NULL
