-- Upsert the staged page; an entity whose content hash is unchanged is left alone (no new change_seq).
-- `inserted` (xmax = 0: no earlier row version) tells new entities, which have no relations yet.
INSERT INTO raw_entities AS r (category, id, bijgewerkt, deleted, content_hash, data, skiptoken, change_seq)
SELECT category, id, bijgewerkt, deleted, content_hash, data, COALESCE(skiptoken, %(skiptoken)s), nextval('raw_change_seq')
FROM stage_raw
ON CONFLICT (category, id) DO UPDATE
    SET bijgewerkt = EXCLUDED.bijgewerkt, deleted = EXCLUDED.deleted, content_hash = EXCLUDED.content_hash,
        data = EXCLUDED.data, skiptoken = EXCLUDED.skiptoken, change_seq = EXCLUDED.change_seq, synced_at = now()
    WHERE r.content_hash <> EXCLUDED.content_hash
RETURNING r.id::text AS id, r.deleted, (r.xmax = 0) AS inserted
