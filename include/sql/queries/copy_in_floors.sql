COPY motion_neighbour_floors (version, motion_id, floor) FROM STDIN (FORMAT BINARY)
