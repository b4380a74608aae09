-- 005: names that say what they hold. raw_entities.joined is each entity's parent pointer (the
-- relation that leads towards its motion, motion_ops.sync.PARENT_REF): now raw_entities.parents.
-- The assembly's watermark (a change_seq, not a feed skiptoken) leaves feed_checkpoints for a
-- table of its own. Idempotent.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'raw_entities' AND column_name = 'joined') THEN
        ALTER TABLE raw_entities RENAME COLUMN joined TO parents;
    END IF;
    IF to_regclass('raw_entities_joined') IS NOT NULL THEN
        ALTER INDEX raw_entities_joined RENAME TO raw_entities_parents;
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS stage_watermarks (
    stage      text PRIMARY KEY,             -- e.g. 'assembly'
    change_seq bigint NOT NULL,              -- raw_entities.change_seq processed up to (inclusive)
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO stage_watermarks (stage, change_seq, updated_at)
SELECT 'assembly', skiptoken, updated_at FROM feed_checkpoints WHERE category = '__assembly__'
ON CONFLICT (stage) DO NOTHING;
DELETE FROM feed_checkpoints WHERE category = '__assembly__';
