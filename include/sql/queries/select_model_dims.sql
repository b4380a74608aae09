SELECT dims FROM motion_embeddings WHERE model = %(model)s GROUP BY dims ORDER BY count(*) DESC LIMIT 1
