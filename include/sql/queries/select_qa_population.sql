-- The motions a version was computed over: live, with a current vector for its model.
SELECT m.id::text AS id, m.started_on,
       EXISTS (SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id) AS has_votes
FROM motions m JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
WHERE NOT m.deleted
ORDER BY m.id
