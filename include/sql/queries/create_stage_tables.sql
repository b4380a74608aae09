CREATE TEMP TABLE IF NOT EXISTS stage_raw (
    category text, id uuid, bijgewerkt timestamp, deleted boolean, content_hash text, data jsonb, skiptoken bigint
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_refs (category text, id uuid, rel text, target_id uuid) ON COMMIT DELETE ROWS;
