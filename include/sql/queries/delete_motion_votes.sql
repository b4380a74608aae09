DELETE FROM motion_votes WHERE motion_id = %(id)s
