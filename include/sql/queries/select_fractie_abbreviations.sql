SELECT id::text AS id, data->'fields'->>'afkorting' AS afkorting, data->'fields'->>'naamNL' AS naam
FROM raw_entities WHERE category = 'Fractie' AND NOT deleted
