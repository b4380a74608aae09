SELECT n.motion_id::text AS motion_id, n.rank, n.neighbour_id::text AS neighbour_id, n.score,
       coalesce(nb.deleted, true) AS neighbour_deleted, nb.title AS neighbour_title,
       coalesce(nb.dossier, nb.publication_dossier) AS neighbour_dossier,
       nb.nummer AS neighbour_nummer, nb.document_nummer AS neighbour_document_nummer,
       nb.dossier_title AS neighbour_dossier_title, nb.content_hash AS neighbour_hash,
       (e.motion_id IS NOT NULL) AS neighbour_embedded,
       n.text_score, n.vote_same, n.vote_common, n.vote_correlation, n.shared_submitters, n.same_dossier, n.same_debate,
       CASE WHEN n.vote_common >= coalesce((v.params->'weights'->>'min_common_parties')::int, 1)
            THEN n.vote_same::real / n.vote_common END AS vote_agreement
FROM motion_neighbours n
JOIN similarity_versions v ON v.version = n.version
LEFT JOIN motions nb ON nb.id = n.neighbour_id
LEFT JOIN motion_embeddings e ON e.motion_id = n.neighbour_id AND e.model = %(model)s AND e.content_hash = nb.embed_hash
WHERE n.version = %(version)s AND n.motion_id = ANY(%(ids)s::uuid[])
ORDER BY n.motion_id, n.rank
