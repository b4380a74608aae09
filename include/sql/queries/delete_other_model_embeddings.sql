-- Prune the vectors of every model but %(keep)s (the end of a model switch); how many per model.
WITH gone AS (DELETE FROM motion_embeddings WHERE model <> %(keep)s RETURNING model)
SELECT model, count(*) AS n FROM gone GROUP BY model ORDER BY model
