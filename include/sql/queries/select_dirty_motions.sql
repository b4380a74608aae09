-- Zaak ids whose motion may have changed: the Zaak itself or anything that points at it, along
-- each category's parent pointer (raw_entities.parents; motion_ops.sync.PARENT_REF: the test
-- test_select_dirty_motions_walks_every_parent_pointer ties this tree to it).
WITH changed AS (
    SELECT category, id, parents FROM raw_entities WHERE change_seq > %(since)s AND change_seq <= %(upto)s
)
SELECT id AS zaak_id FROM changed WHERE category = 'Zaak'
UNION
SELECT t.zaak_id FROM changed c CROSS JOIN LATERAL unnest(c.parents) AS t(zaak_id)
WHERE c.category IN ('Document', 'Besluit', 'ZaakActor')
UNION
SELECT z.zaak_id FROM changed c
CROSS JOIN LATERAL unnest(c.parents) AS d(document_id)
JOIN raw_entities doc ON doc.category = 'Document' AND doc.id = d.document_id
CROSS JOIN LATERAL unnest(doc.parents) AS z(zaak_id)
WHERE c.category = 'DocumentVersie'
UNION
SELECT z.zaak_id FROM changed c
CROSS JOIN LATERAL unnest(c.parents) AS b(besluit_id)
JOIN raw_entities bes ON bes.category = 'Besluit' AND bes.id = b.besluit_id
CROSS JOIN LATERAL unnest(bes.parents) AS z(zaak_id)
WHERE c.category = 'Stemming'
UNION
SELECT k.id FROM raw_entities k
WHERE k.category = 'Zaak' AND k.parents && ARRAY(SELECT id FROM changed WHERE category = 'Kamerstukdossier')
