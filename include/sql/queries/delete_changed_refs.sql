-- Replaced relations of changed, live entities. (Tombstones carry no relations: their last known
-- ones are kept so assembly can still find the motion.)
DELETE FROM entity_refs WHERE category = %(category)s AND id = ANY(%(ids)s::uuid[])
