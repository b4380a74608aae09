SELECT id::text AS id, nummer, document_nummer, title, dossier, dossier_title, content_hash, started_on
FROM motions WHERE id = ANY(%(ids)s::uuid[]) ORDER BY id
