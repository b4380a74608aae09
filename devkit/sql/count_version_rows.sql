SELECT count(*) AS rows FROM motion_neighbours WHERE version = %(version)s
