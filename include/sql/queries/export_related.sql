-- The open export's related motions: the listed neighbours of a version with their score
-- components, between live motions, by motion and rank.
SELECT n.version, n.motion_id::text AS motion_id, n.rank, n.neighbour_id::text AS neighbour_id, n.score,
       n.text_score, n.vote_same, n.vote_common, n.vote_correlation, n.shared_submitters, n.same_dossier,
       n.same_debate
FROM motion_neighbours n
JOIN motions a ON a.id = n.motion_id AND NOT a.deleted
JOIN motions b ON b.id = n.neighbour_id AND NOT b.deleted
WHERE n.version = %(version)s
ORDER BY n.motion_id, n.rank
