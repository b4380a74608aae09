-- Which of the given motions are generated sample data: their Zaak carries the field "gegenereerd"
-- (the dev kit's stand-in marks every motion it makes up; the real feed never has it).
SELECT id::text AS id FROM raw_entities
WHERE category = 'Zaak' AND id = ANY(%(ids)s::uuid[]) AND data->'fields'->>'gegenereerd' = 'true'
