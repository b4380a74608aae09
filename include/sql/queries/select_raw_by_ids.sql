SELECT id::text AS id, deleted, data FROM raw_entities WHERE category = %(category)s AND id = ANY(%(ids)s::uuid[])
