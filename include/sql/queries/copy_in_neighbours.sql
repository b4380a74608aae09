COPY motion_neighbours (version, motion_id, rank, neighbour_id, score) FROM STDIN (FORMAT BINARY)
