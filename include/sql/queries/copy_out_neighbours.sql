COPY (SELECT motion_id, rank, neighbour_id, score FROM motion_neighbours WHERE version = %(version)s)
TO STDOUT (FORMAT BINARY)
