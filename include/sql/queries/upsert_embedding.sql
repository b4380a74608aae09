INSERT INTO motion_embeddings (motion_id, model, content_hash, dims, embedding, created_at)
VALUES (%(motion_id)s, %(model)s, %(content_hash)s, %(dims)s, %(embedding)b, now())
ON CONFLICT (motion_id, model) DO UPDATE SET content_hash = EXCLUDED.content_hash, dims = EXCLUDED.dims,
    embedding = EXCLUDED.embedding, created_at = now()
WHERE motion_embeddings.content_hash <> EXCLUDED.content_hash OR motion_embeddings.dims <> EXCLUDED.dims
