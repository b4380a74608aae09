-- The dimension of a model's corpus: fixed in embedding_models, else (vectors stored before it was
-- recorded) the most common one.
SELECT dims FROM (
    SELECT dims, 0 AS priority FROM embedding_models WHERE model = %(model)s
    UNION ALL
    (SELECT dims, 1 FROM motion_embeddings WHERE model = %(model)s GROUP BY dims ORDER BY count(*) DESC LIMIT 1)
) d ORDER BY priority LIMIT 1
