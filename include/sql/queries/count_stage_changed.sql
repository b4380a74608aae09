SELECT count(*) AS changed FROM stage_changed
