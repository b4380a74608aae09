SELECT coalesce(max(change_seq), 0) AS upto FROM raw_entities
