-- A motion's related motions in the published version (view motion_related), best first, with
-- their score components and the version's min_common_parties (for the reason line).
SELECT r.rank, r.score, r.neighbour_id::text AS neighbour_id, m.nummer, m.title,
       coalesce(m.dossier, m.publication_dossier) AS dossier, r.text_score, r.vote_same, r.vote_common,
       r.vote_agreement, r.vote_correlation, r.shared_submitters, r.same_dossier, r.same_debate,
       coalesce((v.params->'weights'->>'min_common_parties')::int, 1) AS min_common_parties
FROM motion_related r JOIN motions m ON m.id = r.neighbour_id JOIN similarity_versions v ON v.version = r.version
WHERE r.motion_id = %(id)s ORDER BY r.rank LIMIT %(limit)s
