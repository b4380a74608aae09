-- Motions whose listed neighbours differ between two versions, with both lists.
WITH a AS (SELECT motion_id, array_agg(neighbour_id::text ORDER BY rank) AS l FROM motion_neighbours
           WHERE version = %(a)s GROUP BY motion_id),
     b AS (SELECT motion_id, array_agg(neighbour_id::text ORDER BY rank) AS l FROM motion_neighbours
           WHERE version = %(b)s GROUP BY motion_id)
SELECT coalesce(a.motion_id, b.motion_id)::text AS id, m.nummer, m.title, a.l AS before, b.l AS after
FROM a FULL JOIN b ON a.motion_id = b.motion_id LEFT JOIN motions m ON m.id = coalesce(a.motion_id, b.motion_id)
WHERE a.l IS DISTINCT FROM b.l
ORDER BY 1
