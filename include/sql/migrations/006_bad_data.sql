-- 006: what bad input needs so that it is isolated, remembered and retried (idempotent).

-- Motions that could not be assembled or written: rebuilt on every run until they succeed.
CREATE TABLE IF NOT EXISTS assembly_failures (
    zaak_id    uuid PRIMARY KEY,
    failures   integer NOT NULL DEFAULT 1,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One dimension per embedding model, fixed by its first stored vector (or the connection).
CREATE TABLE IF NOT EXISTS embedding_models (
    model      text PRIMARY KEY,
    dims       integer NOT NULL CHECK (dims > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO embedding_models (model, dims)
SELECT DISTINCT ON (model) model, dims FROM motion_embeddings
GROUP BY model, dims ORDER BY model, count(*) DESC
ON CONFLICT (model) DO NOTHING;

-- The moment the corpus of a version was read: writes after it are "changed since" for the next
-- incremental run (the version's created_at is later, when the computation had finished).
ALTER TABLE similarity_versions ADD COLUMN IF NOT EXISTS corpus_as_of timestamptz;
