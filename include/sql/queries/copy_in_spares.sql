COPY motion_neighbour_spares (version, motion_id, rank, neighbour_id, score) FROM STDIN (FORMAT BINARY)
