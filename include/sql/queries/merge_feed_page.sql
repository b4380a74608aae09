-- One SyncFeed page as one statement, so one implicit transaction and one round trip: upsert its
-- entities (with their parent pointers) and move the checkpoint.
-- %(page)s: a JSON array of [id, skiptoken, data, category, rel, changed] (data = FeedEntity.raw(), one
-- row per id; category = the entity's own, rel = its parent pointer, motion_ops.sync.PARENT_REF, or
-- null; changed = bijgewerkt with the offset it means, motion_ops.parsers.feedtime.feed_time, or null:
-- stored as the instant, timestamptz).
-- %(category)s: the page's category, whose checkpoint moves.
-- An entity whose data is unchanged (jsonb equality: the same change time, deleted flag, fields
-- and relations) is left alone: no new change_seq, so no downstream work. A tombstone keeps its
-- last known targets, so assembly can still find the motion it belonged to.
WITH no_flush_wait AS (
    -- this transaction's commit need not wait for the WAL flush (PostgreSQL is the slower side
    -- on many pages): a page lost in a server crash is lost with its checkpoint and read again
    SELECT set_config('synchronous_commit', 'off', true)
), page AS (
    SELECT (e->>0)::uuid AS id, (e->>1)::bigint AS skiptoken, e->2 AS data, e->>3 AS category, e->>4 AS rel,
           (e->>5)::timestamptz AS changed
    FROM jsonb_array_elements(%(page)s::jsonb) AS e
), merged AS (
    INSERT INTO raw_entities AS r (category, id, bijgewerkt, deleted, data, parents, skiptoken, change_seq)
    SELECT category, id, changed, (data->>'deleted')::boolean, data,
           ARRAY(SELECT t::uuid FROM jsonb_array_elements_text(data->'refs'->rel) AS t),
           COALESCE(skiptoken, %(checkpoint)s::bigint, 0), nextval('raw_change_seq')
    FROM page
    ON CONFLICT (category, id) DO UPDATE
        SET bijgewerkt = EXCLUDED.bijgewerkt, deleted = EXCLUDED.deleted, data = EXCLUDED.data,
            parents = CASE WHEN EXCLUDED.deleted THEN r.parents ELSE EXCLUDED.parents END,
            skiptoken = EXCLUDED.skiptoken, change_seq = EXCLUDED.change_seq, synced_at = now()
        WHERE r.data IS DISTINCT FROM EXCLUDED.data
    RETURNING 1
), moved AS (
    INSERT INTO feed_checkpoints (category, skiptoken, updated_at)
    SELECT %(category)s, %(checkpoint)s::bigint, now() WHERE %(checkpoint)s::bigint IS NOT NULL
    ON CONFLICT (category) DO UPDATE SET skiptoken = EXCLUDED.skiptoken, updated_at = now()
)
SELECT (SELECT count(*) FROM merged) AS changed FROM no_flush_wait
