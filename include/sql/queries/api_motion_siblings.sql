-- A motion's siblings: the live motions of its dossier or its debate (the vote's agendapunt), the
-- same debate first, then the newest; never the motion itself nor a motion the published version
-- holds as an earlier version of another (it is listed with its newest version). With the total.
WITH m AS (
    SELECT id, coalesce(dossier, publication_dossier) AS dossier, debate_id FROM motions WHERE id = %(id)s::uuid
), s AS (
    SELECT o.id, o.nummer, o.title, o.started_on, coalesce(o.dossier, o.publication_dossier) AS dossier, o.outcome,
           coalesce(coalesce(o.dossier, o.publication_dossier) = m.dossier, false) AS same_dossier,
           coalesce(o.debate_id = m.debate_id, false) AS same_debate
    FROM m JOIN motions o
      ON o.id <> m.id AND NOT o.deleted
     AND (coalesce(o.dossier, o.publication_dossier) = m.dossier OR o.debate_id = m.debate_id)
    WHERE NOT EXISTS (SELECT 1 FROM motion_earlier_versions e JOIN similarity_current c ON c.version = e.version
                      WHERE e.earlier_id = o.id)
)
SELECT id::text AS id, nummer, title, started_on, dossier, outcome, same_dossier, same_debate,
       count(*) OVER () AS total
FROM s ORDER BY same_debate DESC, started_on DESC NULLS LAST, nummer, id
LIMIT %(limit)s
