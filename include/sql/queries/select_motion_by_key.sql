-- A motion by its id (uuid) or its Zaak number (e.g. 2025Z01234).
SELECT id::text AS id, nummer, title, dossier FROM motions
WHERE id = (CASE WHEN %(key)s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN %(key)s::uuid END)
   OR nummer = %(key)s
ORDER BY deleted, id LIMIT 1
