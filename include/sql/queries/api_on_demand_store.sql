INSERT INTO related_on_demand (version, motion_id, rank, neighbour_id, score, text_score, same_dossier)
VALUES (%(version)s, %(motion_id)s, %(rank)s, %(neighbour_id)s, %(score)s, %(text_score)s, %(same_dossier)s)
ON CONFLICT DO NOTHING
