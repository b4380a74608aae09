-- 022 (idempotent): curated motions, picked by staff with a short note, that the landing page
-- presents first (python -m motion_ops curated add|remove|list, or the API with its write token).
-- The read API's role may write this table only (the token is checked by the app before any write).
CREATE TABLE IF NOT EXISTS curated_motions (
    motion_id  uuid        PRIMARY KEY REFERENCES motions (id) ON DELETE CASCADE,
    note       text        NOT NULL CHECK (char_length(note) BETWEEN 1 AND 280),
    added_at   timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'motion_reader') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON curated_motions TO motion_reader;
    END IF;
END $$;
