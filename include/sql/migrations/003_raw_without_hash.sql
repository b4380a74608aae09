-- 003: raw entities carry no content hash any more. A page's merge (queries/merge_feed_page.sql)
-- compares the stored jsonb itself, so nothing read the column, and computing it was ~8 % of
-- the database's work per synced entity. Idempotent.
ALTER TABLE raw_entities DROP COLUMN IF EXISTS content_hash;
