-- Zaak ids whose motion may have changed: the Zaak itself or anything that points at it.
WITH changed AS (
    SELECT category, id FROM raw_entities WHERE change_seq > %(since)s AND change_seq <= %(upto)s
)
SELECT id AS zaak_id FROM changed WHERE category = 'Zaak'
UNION
SELECT r.target_id FROM changed c
JOIN entity_refs r ON r.category = c.category AND r.id = c.id AND r.rel = 'zaak'
WHERE c.category IN ('Document', 'Besluit', 'ZaakActor')
UNION
SELECT z.target_id FROM changed c
JOIN entity_refs d ON d.category = 'DocumentVersie' AND d.id = c.id AND d.rel = 'document'
JOIN entity_refs z ON z.category = 'Document' AND z.id = d.target_id AND z.rel = 'zaak'
WHERE c.category = 'DocumentVersie'
UNION
SELECT z.target_id FROM changed c
JOIN entity_refs b ON b.category = 'Stemming' AND b.id = c.id AND b.rel = 'besluit'
JOIN entity_refs z ON z.category = 'Besluit' AND z.id = b.target_id AND z.rel = 'zaak'
WHERE c.category = 'Stemming'
UNION
SELECT k.id FROM changed c
JOIN entity_refs k ON k.category = 'Zaak' AND k.rel = 'kamerstukdossier' AND k.target_id = c.id
WHERE c.category = 'Kamerstukdossier'
