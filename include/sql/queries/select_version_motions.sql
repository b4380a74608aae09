SELECT DISTINCT motion_id::text AS id FROM motion_neighbours WHERE version = %(version)s
