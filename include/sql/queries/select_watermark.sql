SELECT change_seq FROM stage_watermarks WHERE stage = %(stage)s
