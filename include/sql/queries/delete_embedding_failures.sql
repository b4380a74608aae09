DELETE FROM embedding_failures WHERE model = %(model)s AND motion_id = ANY(%(ids)s::uuid[])
