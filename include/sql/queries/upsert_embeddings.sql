-- A batch of vectors in one statement (arrays unnested server-side: one plan, one round trip);
-- the failure records of the embedded motions go in the same statement. A row is rewritten only
-- when its text (content hash) or dimension changed.
WITH cleared AS (
    DELETE FROM embedding_failures WHERE model = %(model)s AND motion_id = ANY(%(motion_ids)s::uuid[])
)
INSERT INTO motion_embeddings (motion_id, model, content_hash, dims, embedding, created_at)
SELECT u.motion_id, %(model)s, u.content_hash, vector_dims(u.embedding), u.embedding, now()
FROM unnest(%(motion_ids)s::uuid[], %(content_hashes)s::text[], %(embeddings)b::vector[]) AS u (motion_id, content_hash, embedding)
ON CONFLICT (motion_id, model) DO UPDATE SET content_hash = EXCLUDED.content_hash, dims = EXCLUDED.dims,
    embedding = EXCLUDED.embedding, created_at = now()
WHERE motion_embeddings.content_hash <> EXCLUDED.content_hash OR motion_embeddings.dims <> EXCLUDED.dims
