-- The open export's motions: every live motion with its metadata and text, in id order.
-- `generated`: a sample motion the dev kit's stand-in made up (its Zaak carries "gegenereerd").
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, coalesce(m.kamerstuk, m.publication_kamerstuk) AS kamerstuk, m.submitters, m.outcome,
       m.amended, m.body_text, m.updated_at,
       EXISTS (SELECT 1 FROM raw_entities r WHERE r.category = 'Zaak' AND r.id = m.id
                  AND r.data->'fields'->>'gegenereerd' = 'true') AS generated
FROM motions m
WHERE NOT m.deleted
ORDER BY m.id
