SELECT width_bucket(score, -1.0, 1.000001, 40) AS bucket, count(*) AS n
FROM motion_neighbours WHERE version = %(version)s AND rank = %(rank)s
GROUP BY 1 ORDER BY 1
