SELECT count(*) AS n FROM motion_embeddings WHERE model = %(model)s AND created_at >= %(since)s
