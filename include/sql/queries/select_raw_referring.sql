-- Entities of a category whose parent pointer (raw_entities.parents, e.g. Stemming -> besluit)
-- points at any of the given ids, with the id they point at (GIN index raw_entities_parents).
SELECT t.target_id::text AS target_id, e.id::text AS id, e.deleted, e.data
FROM raw_entities e
CROSS JOIN LATERAL unnest(e.parents) AS t(target_id)
WHERE e.category = %(category)s AND e.parents && %(ids)s::uuid[] AND t.target_id = ANY(%(ids)s::uuid[])
