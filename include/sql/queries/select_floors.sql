SELECT motion_id::text AS motion_id, floor FROM motion_neighbour_floors WHERE version = %(version)s
