-- Pick a live motion (by id or Zaak number) with a note, or change the note of a picked one.
INSERT INTO curated_motions AS c (motion_id, note)
SELECT m.id, %(note)s FROM motions m
WHERE NOT m.deleted
  AND (m.id = (CASE WHEN %(key)s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                    THEN %(key)s::uuid END) OR m.nummer = %(key)s)
ORDER BY m.id LIMIT 1
ON CONFLICT (motion_id) DO UPDATE SET note = EXCLUDED.note, updated_at = now()
RETURNING c.motion_id::text AS id, c.note, c.added_at, c.updated_at
