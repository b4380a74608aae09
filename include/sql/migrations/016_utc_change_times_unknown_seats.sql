-- 016: change times as UTC instants; a party's seat count may be unknown (idempotent).

-- raw_entities.bijgewerkt becomes timestamptz. Until now it held the feed's time without an offset,
-- which is Amsterdam time (an offset was refused); from now on every spelling is stored as the
-- instant it means (motion_ops.parsers.feedtime), so spellings with and without an offset compare.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'raw_entities'
                 AND column_name = 'bijgewerkt' AND data_type = 'timestamp without time zone') THEN
        ALTER TABLE raw_entities ALTER COLUMN bijgewerkt TYPE timestamptz
            USING bijgewerkt AT TIME ZONE 'Europe/Amsterdam';
    END IF;
END $$;

-- A fractieGrootte that is not a number is an unknown seat count (null), not 0 seats; so are the
-- party's seats on the side it voted.
ALTER TABLE motion_votes ALTER COLUMN seats DROP NOT NULL, ALTER COLUMN seats DROP DEFAULT,
                         ALTER COLUMN voor DROP NOT NULL, ALTER COLUMN voor DROP DEFAULT,
                         ALTER COLUMN tegen DROP NOT NULL, ALTER COLUMN tegen DROP DEFAULT;

-- The motions whose votes were stored with 0 for such a count are assembled once more (a new
-- change number on the party vote rows that have one; roll calls count their members instead).
UPDATE raw_entities SET change_seq = nextval('raw_change_seq')
WHERE category = 'Stemming' AND NOT deleted
  AND NOT coalesce(data->'refs' ? 'persoon', false) AND coalesce(data->'fields'->>'sidActorLid', '') = ''
  AND coalesce(data->'fields'->>'fractieGrootte', '') !~ '^\s*[0-9]+\s*$';
