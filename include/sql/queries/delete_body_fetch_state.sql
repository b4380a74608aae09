DELETE FROM body_fetch_state WHERE motion_id = %(id)s
