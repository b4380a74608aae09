SELECT id::text AS id, nummer, document_nummer, title, coalesce(dossier, publication_dossier) AS dossier, dossier_title, content_hash, started_on
FROM motions WHERE id = ANY(%(ids)s::uuid[]) ORDER BY id
