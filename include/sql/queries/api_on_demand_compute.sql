-- Neighbours of a motion the version does not list, among the motions it does: exact cosine of
-- the stored vectors (the version's model) plus the dossier term, best first.
WITH me AS (
    SELECT e.embedding, coalesce(m.dossier, m.publication_dossier) AS dossier
    FROM motion_embeddings e JOIN motions m ON m.id = e.motion_id AND e.content_hash = m.embed_hash
    WHERE e.motion_id = %(id)s AND e.model = %(model)s
)
SELECT o.id, o.text_score, o.same_dossier,
       %(w_text)s * o.text_score + %(w_dossier)s * o.same_dossier::int AS score
FROM (
    SELECT e.motion_id::text AS id, (1 - (e.embedding <=> me.embedding))::real AS text_score,
           coalesce(coalesce(m.dossier, m.publication_dossier) = me.dossier, false) AS same_dossier
    FROM me, motion_embeddings e JOIN motions m ON m.id = e.motion_id AND e.content_hash = m.embed_hash
    WHERE e.model = %(model)s AND NOT m.deleted AND e.motion_id <> %(id)s
      AND EXISTS (SELECT 1 FROM motion_neighbour_floors f WHERE f.version = %(version)s AND f.motion_id = e.motion_id)
      AND NOT EXISTS (SELECT 1 FROM motion_earlier_versions h WHERE h.version = %(version)s AND h.earlier_id = e.motion_id)
) o
ORDER BY score DESC, o.id LIMIT %(limit)s
