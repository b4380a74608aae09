-- The planned motions with their text length, for a stratified pilot sample.
SELECT m.id::text AS id, length(m.body_text) AS chars, coalesce(m.dossier, m.publication_dossier) AS dossier
FROM motions m WHERE m.id = ANY(%(ids)s::uuid[]) AND m.body_text IS NOT NULL
ORDER BY length(m.body_text), m.id
