-- What /related needs before its rows, in one round trip: the motion (by id or Zaak number), the
-- version (the pinned one, else the published one) and where the motion stands in it.
WITH m AS (
    SELECT id, nummer, title, started_on, coalesce(dossier, publication_dossier) AS dossier, dossier_title, outcome
    FROM motions
    WHERE (CASE WHEN %(key)s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                THEN id = %(key)s::uuid ELSE false END) OR nummer = %(key)s
    ORDER BY deleted, id LIMIT 1
), v AS (
    SELECT v.version, v.model, v.params, v.status, (v.version = c.version) AS current
    FROM similarity_versions v LEFT JOIN similarity_current c ON true
    WHERE v.version = coalesce(%(version)s::bigint, c.version)
)
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, m.dossier, m.dossier_title, m.outcome,
       v.version, v.model, v.params, v.current,
       EXISTS (SELECT 1 FROM motion_neighbour_floors f WHERE f.version = v.version AND f.motion_id = m.id) AS computed,
       (SELECT e.motion_id::text FROM motion_earlier_versions e
        WHERE e.version = v.version AND e.earlier_id = m.id
          AND NOT EXISTS (SELECT 1 FROM motion_earlier_versions h WHERE h.version = e.version AND h.earlier_id = e.motion_id)
        LIMIT 1) AS represented_by
FROM m LEFT JOIN v ON true
