SELECT percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY score) FILTER (WHERE rank = 1) AS rank1,
       percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY score) FILTER (WHERE rank = %(k)s) AS rankk
FROM motion_neighbours WHERE version = %(version)s
