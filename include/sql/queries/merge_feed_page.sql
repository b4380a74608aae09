-- One SyncFeed page as one statement, so one implicit transaction and one round trip: upsert its
-- entities, bring the joined relations of those that changed up to date, move the checkpoint.
-- %(page)s: a JSON array of [id, skiptoken, data] (data = FeedEntity.raw(); one row per id).
-- An entity whose data is unchanged (jsonb equality: the same change time, deleted flag, fields
-- and relations) is left alone: no new change_seq, so no downstream work. New entities
-- (xmax = 0) have no relations to drop; tombstones keep their last known relations, so assembly
-- can still find the motion they belonged to. bijgewerkt has 7 fractional digits: keep 6.
WITH no_flush_wait AS (
    -- this transaction's commit need not wait for the WAL flush (PostgreSQL is the slower side
    -- on many pages): a page lost in a server crash is lost with its checkpoint and read again
    SELECT set_config('synchronous_commit', 'off', true)
), page AS (
    SELECT (e->>0)::uuid AS id, (e->>1)::bigint AS skiptoken, e->2 AS data
    FROM jsonb_array_elements(%(page)s::jsonb) AS e
), merged AS (
    INSERT INTO raw_entities AS r (category, id, bijgewerkt, deleted, data, skiptoken, change_seq)
    SELECT %(category)s, id, left(data->>'bijgewerkt', 26)::timestamp, (data->>'deleted')::boolean,
           data, COALESCE(skiptoken, %(checkpoint)s::bigint, 0), nextval('raw_change_seq')
    FROM page
    ON CONFLICT (category, id) DO UPDATE
        SET bijgewerkt = EXCLUDED.bijgewerkt, deleted = EXCLUDED.deleted, data = EXCLUDED.data,
            skiptoken = EXCLUDED.skiptoken, change_seq = EXCLUDED.change_seq, synced_at = now()
        WHERE r.data IS DISTINCT FROM EXCLUDED.data
    RETURNING r.id, r.deleted, (r.xmax = 0) AS inserted, r.data
), new_refs AS (
    SELECT m.id, x.rel, t.target::uuid AS target_id
    FROM merged m
    CROSS JOIN LATERAL jsonb_each(m.data->'refs') AS x(rel, targets)
    CROSS JOIN LATERAL jsonb_array_elements_text(x.targets) AS t(target)
    WHERE NOT m.deleted AND x.rel = ANY(%(rels)s::text[])
), dropped AS (
    DELETE FROM entity_refs e USING merged m
    WHERE e.category = %(category)s AND e.id = m.id AND NOT m.deleted AND NOT m.inserted
      AND NOT EXISTS (SELECT 1 FROM new_refs n WHERE n.id = e.id AND n.rel = e.rel AND n.target_id = e.target_id)
), added AS (
    INSERT INTO entity_refs (category, id, rel, target_id)
    SELECT %(category)s, id, rel, target_id FROM new_refs
    ON CONFLICT DO NOTHING
), moved AS (
    INSERT INTO feed_checkpoints (category, skiptoken, updated_at)
    SELECT %(category)s, %(checkpoint)s::bigint, now() WHERE %(checkpoint)s::bigint IS NOT NULL
    ON CONFLICT (category) DO UPDATE SET skiptoken = EXCLUDED.skiptoken, updated_at = now()
)
SELECT (SELECT count(*) FROM merged) AS changed FROM no_flush_wait
