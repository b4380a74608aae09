-- One live or deleted motion by id or Zaak number, with what its page shows.
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.submitters, m.outcome, m.body_text, m.body_source, m.document_nummer,
       coalesce(m.kamerstuk, m.publication_kamerstuk) AS kamerstuk, m.amended, m.deleted
FROM motions m
WHERE m.id = (CASE WHEN %(key)s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN %(key)s::uuid END)
   OR m.nummer = %(key)s
ORDER BY m.deleted, m.id LIMIT 1
