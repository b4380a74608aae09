-- Motions whose vector or assembled content (votes included) changed at or after the moment a
-- version's corpus was read (similarity_versions.corpus_as_of).
SELECT m.id::text AS id
FROM motions m JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s
WHERE m.updated_at >= %(since)s OR e.created_at >= %(since)s
