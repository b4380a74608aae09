-- Party votes of live motions, with the Fractie record's abbreviation and name (for the lineage).
SELECT v.motion_id::text AS motion_id, v.party, v.vote, v.seats,
       f.data->'fields'->>'afkorting' AS afkorting, f.data->'fields'->>'naamNL' AS naam
FROM motion_votes v JOIN motions m ON m.id = v.motion_id
LEFT JOIN raw_entities f ON f.category = 'Fractie' AND f.id = v.fractie_id
WHERE NOT m.deleted
