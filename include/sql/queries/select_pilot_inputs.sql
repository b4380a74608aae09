-- What a pilot sends for each sampled motion, with what a person reads it by.
SELECT m.id::text AS id, m.nummer, m.title, m.body_text, m.dossier_title
FROM motions m WHERE m.id = ANY(%(ids)s::uuid[]) AND m.body_text IS NOT NULL
ORDER BY m.id
