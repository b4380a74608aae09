-- Whether a version's lists equal another's (same model and parameters; same neighbours at every
-- rank, scores to 1e-5): republishing it would change nothing for readers.
SELECT a.model = b.model
   AND (a.params->'top_n', a.params->'spares', a.params->'vote_weight', a.params->'seat_weighted', a.params->'parties')
       IS NOT DISTINCT FROM
       (b.params->'top_n', b.params->'spares', b.params->'vote_weight', b.params->'seat_weighted', b.params->'parties')
   AND NOT EXISTS (SELECT motion_id, rank, neighbour_id, round(score::numeric, 5) FROM motion_neighbours WHERE version = %(version)s
                   EXCEPT SELECT motion_id, rank, neighbour_id, round(score::numeric, 5) FROM motion_neighbours WHERE version = %(other)s)
   AND NOT EXISTS (SELECT motion_id, rank, neighbour_id, round(score::numeric, 5) FROM motion_neighbours WHERE version = %(other)s
                   EXCEPT SELECT motion_id, rank, neighbour_id, round(score::numeric, 5) FROM motion_neighbours WHERE version = %(version)s)
   AS unchanged
FROM similarity_versions a, similarity_versions b WHERE a.version = %(version)s AND b.version = %(other)s
