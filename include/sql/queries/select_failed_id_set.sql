SELECT ids::text[] AS ids FROM failed_id_sets WHERE ref = %(ref)s
