-- What /related needs, in one round trip: the motion (by id or Zaak number), the version (the
-- pinned one, else the published one), where the motion stands in it and, when the version lists
-- it, its neighbours from a rank on (as api_related, as one JSON array; NULL when not computed).
WITH m AS (
    SELECT id, nummer, title, started_on, coalesce(dossier, publication_dossier) AS dossier, dossier_title, outcome
    FROM motions
    WHERE id = (CASE WHEN %(key)s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                     THEN %(key)s::uuid END)
       OR nummer = %(key)s
    ORDER BY deleted, id LIMIT 1
), v AS (
    SELECT v.version, v.model, jsonb_build_object('weights', v.params -> 'weights') AS params, -- all it needs
           (v.version = c.version) AS current
    FROM similarity_versions v LEFT JOIN similarity_current c ON true
    WHERE v.version = coalesce(%(version)s::bigint, c.version)
), h AS MATERIALIZED (
    SELECT m.*, v.version, v.model, v.params, v.current, f.motion_id IS NOT NULL AS computed,
           (SELECT e.motion_id::text FROM motion_earlier_versions e
            WHERE e.version = v.version AND e.earlier_id = m.id
              AND NOT EXISTS (SELECT 1 FROM motion_earlier_versions h WHERE h.version = e.version AND h.earlier_id = e.motion_id)
            LIMIT 1) AS represented_by
    FROM m LEFT JOIN v ON true
    LEFT JOIN motion_neighbour_floors f ON f.version = v.version AND f.motion_id = m.id
)
SELECT h.id::text AS id, h.nummer, h.title, h.started_on, h.dossier, h.dossier_title, h.outcome,
       h.version, h.model, h.params, h.current, h.computed, h.represented_by,
       CASE WHEN h.computed THEN coalesce((
           SELECT json_agg(r ORDER BY r.rank) FROM (
               SELECT n.rank, n.neighbour_id::text AS id, nm.nummer, nm.title, nm.started_on,
                      coalesce(nm.dossier, nm.publication_dossier) AS dossier, n.score, n.text_score, n.vote_same,
                      n.vote_common, n.vote_correlation, n.shared_submitters, n.same_dossier, n.same_debate
               FROM motion_neighbours n JOIN motions nm ON nm.id = n.neighbour_id
               WHERE n.version = h.version AND n.motion_id = h.id AND n.score >= %(min_score)s AND n.rank > %(after)s
               ORDER BY n.rank LIMIT %(limit)s) r), '[]') END AS rows
FROM h
