COPY (
    SELECT m.id, e.embedding
    FROM motions m JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
    WHERE NOT m.deleted AND e.dims = %(dims)s
    ORDER BY m.id
) TO STDOUT (FORMAT BINARY)
