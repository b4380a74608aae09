-- Zaak ids whose motion may have changed: the Zaak itself or anything that points at it, along
-- each category's joined relation (raw_entities.joined).
WITH changed AS (
    SELECT category, id, joined FROM raw_entities WHERE change_seq > %(since)s AND change_seq <= %(upto)s
)
SELECT id AS zaak_id FROM changed WHERE category = 'Zaak'
UNION
SELECT t.zaak_id FROM changed c CROSS JOIN LATERAL unnest(c.joined) AS t(zaak_id)
WHERE c.category IN ('Document', 'Besluit', 'ZaakActor')
UNION
SELECT z.zaak_id FROM changed c
CROSS JOIN LATERAL unnest(c.joined) AS d(document_id)
JOIN raw_entities doc ON doc.category = 'Document' AND doc.id = d.document_id
CROSS JOIN LATERAL unnest(doc.joined) AS z(zaak_id)
WHERE c.category = 'DocumentVersie'
UNION
SELECT z.zaak_id FROM changed c
CROSS JOIN LATERAL unnest(c.joined) AS b(besluit_id)
JOIN raw_entities bes ON bes.category = 'Besluit' AND bes.id = b.besluit_id
CROSS JOIN LATERAL unnest(bes.joined) AS z(zaak_id)
WHERE c.category = 'Stemming'
UNION
SELECT k.id FROM raw_entities k
WHERE k.category = 'Zaak' AND k.joined && ARRAY(SELECT id FROM changed WHERE category = 'Kamerstukdossier')
