-- A motion's listed neighbours in a version, from a rank on, with their components.
SELECT n.rank, n.neighbour_id::text AS id, m.nummer, m.title, m.started_on,
       coalesce(m.dossier, m.publication_dossier) AS dossier, n.score, n.text_score, n.vote_same, n.vote_common, n.vote_correlation,
       n.shared_submitters, n.same_dossier, n.same_debate
FROM motion_neighbours n JOIN motions m ON m.id = n.neighbour_id
WHERE n.version = %(version)s AND n.motion_id = %(id)s AND n.score >= %(min_score)s AND n.rank > %(after)s
ORDER BY n.rank LIMIT %(limit)s
