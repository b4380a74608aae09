SELECT n.motion_id::text AS motion_id, n.rank, n.neighbour_id::text AS neighbour_id, n.score,
       coalesce(nb.deleted, true) AS neighbour_deleted, nb.title AS neighbour_title, nb.dossier AS neighbour_dossier,
       nb.nummer AS neighbour_nummer, nb.document_nummer AS neighbour_document_nummer,
       nb.dossier_title AS neighbour_dossier_title, nb.content_hash AS neighbour_hash,
       (e.motion_id IS NOT NULL) AS neighbour_embedded
FROM motion_neighbours n
LEFT JOIN motions nb ON nb.id = n.neighbour_id
LEFT JOIN motion_embeddings e ON e.motion_id = n.neighbour_id AND e.model = %(model)s AND e.content_hash = nb.content_hash
WHERE n.version = %(version)s AND n.motion_id = ANY(%(ids)s::uuid[])
ORDER BY n.motion_id, n.rank
