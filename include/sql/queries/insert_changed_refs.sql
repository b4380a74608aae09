INSERT INTO entity_refs (category, id, rel, target_id)
SELECT category, id, rel, target_id FROM stage_refs WHERE id = ANY(%(ids)s::uuid[])
ON CONFLICT DO NOTHING
