-- The curated live motions, the newest pick first, with what the landing page shows of them.
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.outcome, c.note, c.added_at, c.updated_at
FROM curated_motions c JOIN motions m ON m.id = c.motion_id
WHERE NOT m.deleted
ORDER BY c.added_at DESC, m.id
LIMIT %(limit)s
