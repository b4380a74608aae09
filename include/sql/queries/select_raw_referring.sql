-- Entities of a category that point (rel) at any of the given ids, with the id they point at.
SELECT r.target_id::text AS target_id, e.id::text AS id, e.deleted, e.data
FROM entity_refs r JOIN raw_entities e ON e.category = r.category AND e.id = r.id
WHERE r.category = %(category)s AND r.rel = %(rel)s AND r.target_id = ANY(%(ids)s::uuid[])
