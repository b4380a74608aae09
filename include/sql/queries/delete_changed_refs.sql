-- Tombstones carry no relations: keep the last known ones so assembly can still find the motion.
DELETE FROM entity_refs e USING stage_changed c
WHERE e.category = c.category AND e.id = c.id AND NOT c.deleted
