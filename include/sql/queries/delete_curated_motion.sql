-- Unpick a motion (by id or Zaak number); nothing when it was not picked.
DELETE FROM curated_motions c USING motions m
WHERE c.motion_id = m.id
  AND (m.id = (CASE WHEN %(key)s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                    THEN %(key)s::uuid END) OR m.nummer = %(key)s)
RETURNING c.motion_id::text AS id
