-- a version's top-n and its spares (ranks continue after top_n)
COPY (SELECT motion_id, rank, neighbour_id, score FROM motion_neighbours WHERE version = %(version)s
      UNION ALL
      SELECT motion_id, rank, neighbour_id, score FROM motion_neighbour_spares WHERE version = %(version)s)
TO STDOUT (FORMAT BINARY)
