-- The Atom entries of a feed: the given motions with their change time (timestamptz: UTC), submitters,
-- text, and whether each is a generated sample motion (its Zaak carries "gegenereerd").
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome, m.submitters, m.body_text, m.updated_at,
       EXISTS (SELECT 1 FROM raw_entities r WHERE r.category = 'Zaak' AND r.id = m.id
                  AND r.data->'fields'->>'gegenereerd' = 'true') AS generated
FROM motions m
WHERE m.id = ANY(%(ids)s::uuid[])
