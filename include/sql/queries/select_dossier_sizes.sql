-- Motions per dossier among the live motions with a vector for the model (the QA random baseline).
SELECT coalesce(m.dossier, m.publication_dossier) AS dossier, count(*) AS n
FROM motions m JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
WHERE NOT m.deleted AND coalesce(m.dossier, m.publication_dossier) IS NOT NULL
GROUP BY 1
