-- A motion's stored vector of its current text in a model (as text: "[x,y,...]"), for "moties zoals deze".
SELECT e.embedding::text AS vector
FROM motions m JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
WHERE m.id = %(id)s::uuid
