-- What is summarized of the given motions, with the text hash the summary is keyed on.
SELECT m.id::text AS id, m.nummer, m.title, m.body_text, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.embed_hash AS text_hash
FROM motions m
WHERE m.id = ANY(%(ids)s::uuid[]) AND NOT m.deleted AND m.body_text IS NOT NULL
ORDER BY m.id
