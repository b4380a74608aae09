-- Every staged relation: used when every entity of the page was changed.
INSERT INTO entity_refs (category, id, rel, target_id)
SELECT category, id, rel, target_id FROM stage_refs
ON CONFLICT DO NOTHING
