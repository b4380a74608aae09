SELECT count(*) AS n, coalesce(max(created_at), 'epoch') AS newest FROM motion_embeddings WHERE model = %(model)s
