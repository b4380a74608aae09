INSERT INTO entity_refs (category, id, rel, target_id)
SELECT s.category, s.id, s.rel, s.target_id
FROM stage_refs s JOIN stage_changed c ON c.category = s.category AND c.id = s.id AND NOT c.deleted
ON CONFLICT DO NOTHING
