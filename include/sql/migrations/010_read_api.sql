-- 010: what the read API needs (idempotent): Dutch full-text search, a read-only role, and the
-- on-demand cache of related motions for motions that are not in the published version yet.

ALTER TABLE motions ADD COLUMN IF NOT EXISTS search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('dutch', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('dutch', coalesce(body_text, '')), 'B')) STORED;
CREATE INDEX IF NOT EXISTS motions_search_tsv ON motions USING gin (search_tsv);
CREATE INDEX IF NOT EXISTS motions_dossier ON motions (dossier);
CREATE INDEX IF NOT EXISTS motion_neighbours_neighbour ON motion_neighbours (version, neighbour_id);

-- Neighbours computed by the API for a motion the published version does not have (synced and
-- embedded since): text and dossier only, marked as such, valid for that version only.
CREATE TABLE IF NOT EXISTS related_on_demand (
    version      bigint  NOT NULL REFERENCES similarity_versions (version) ON DELETE CASCADE,
    motion_id    uuid    NOT NULL,
    rank         integer NOT NULL,
    neighbour_id uuid    NOT NULL,
    score        real    NOT NULL,
    text_score   real    NOT NULL,
    same_dossier boolean NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (version, motion_id, rank)
);

-- The API's role: reads everything, writes only its cache. The API sets it on every connection
-- (SET ROLE), so it cannot write elsewhere even when its login may. A store whose migrating
-- user may not create roles gets none (the notice says so; create it by hand, see README).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'motion_reader') THEN
        CREATE ROLE motion_reader NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'no privilege to create the role motion_reader: create it by hand for the read API';
END $$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'motion_reader') THEN
        GRANT USAGE ON SCHEMA public TO motion_reader;
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO motion_reader;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO motion_reader;
        GRANT INSERT, DELETE ON related_on_demand TO motion_reader;
    END IF;
END $$;
