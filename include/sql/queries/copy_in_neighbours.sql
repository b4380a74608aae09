COPY motion_neighbours (version, motion_id, rank, neighbour_id, score, text_score, vote_same, vote_common, vote_correlation,
                        shared_submitters, same_dossier, same_debate) FROM STDIN (FORMAT BINARY)
