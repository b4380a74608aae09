-- 001: the motion store. Idempotent: every statement may run again.
CREATE EXTENSION IF NOT EXISTS vector;

-- Raw SyncFeed entities, one row per (category, id): the last state the feed told us.
CREATE TABLE IF NOT EXISTS raw_entities (
    category     text        NOT NULL,
    id           uuid        NOT NULL,
    bijgewerkt   timestamp,
    deleted      boolean     NOT NULL DEFAULT false,
    content_hash text        NOT NULL,
    data         jsonb       NOT NULL,
    skiptoken    bigint      NOT NULL,
    change_seq   bigint      NOT NULL,
    synced_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (category, id)
);
CREATE SEQUENCE IF NOT EXISTS raw_change_seq;
CREATE INDEX IF NOT EXISTS raw_entities_change_seq ON raw_entities (change_seq);

-- Relations (`ref` children) of raw entities, so assembly can join without scanning jsonb.
CREATE TABLE IF NOT EXISTS entity_refs (
    category  text NOT NULL,
    id        uuid NOT NULL,
    rel       text NOT NULL,
    target_id uuid NOT NULL,
    PRIMARY KEY (category, id, rel, target_id)
);
CREATE INDEX IF NOT EXISTS entity_refs_target ON entity_refs (rel, target_id);

-- Checkpoints: per feed category the skiptoken to resume from; 'assembly' holds the change_seq
-- up to which motions were assembled.
CREATE TABLE IF NOT EXISTS feed_checkpoints (
    category   text        PRIMARY KEY,
    skiptoken  bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS motions (
    id                 uuid PRIMARY KEY,          -- the Zaak id
    nummer             text,
    title              text,
    dossier_title      text,                       -- Zaak.titel: the dossier's title (policy area)
    dossier            text,
    submitters         text[]      NOT NULL DEFAULT '{}',
    started_on         date,
    document_id        uuid,
    document_versie_id uuid,
    document_nummer    text,
    outcome            text,
    source_hash        text        NOT NULL,       -- hash of the assembled metadata above
    body_text          text,
    body_source        text,                       -- publication | document | null
    body_versie_id     uuid,                       -- document version the text was taken from
    content_hash       text,                       -- sha256 of body_text
    body_fetched_at    timestamptz,
    deleted            boolean     NOT NULL DEFAULT false,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS motions_started_on ON motions (started_on);

CREATE TABLE IF NOT EXISTS motion_votes (
    motion_id  uuid    NOT NULL REFERENCES motions (id) ON DELETE CASCADE,
    party      text    NOT NULL,     -- normalised party abbreviation
    fractie_id uuid,
    vote       text    NOT NULL,     -- Voor | Tegen | Niet deelgenomen
    seats      integer NOT NULL DEFAULT 0,
    voor       integer NOT NULL DEFAULT 0,
    tegen      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (motion_id, party)
);

-- Body fetch bookkeeping: failures per motion and document version.
CREATE TABLE IF NOT EXISTS body_fetch_state (
    motion_id    uuid PRIMARY KEY,
    versie_id    uuid,
    failures     integer     NOT NULL DEFAULT 0,
    last_status  text,
    last_error   text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One vector per (motion, model); content_hash says which text it was computed from, so a
-- changed text or another model means "missing".
CREATE TABLE IF NOT EXISTS motion_embeddings (
    motion_id    uuid        NOT NULL REFERENCES motions (id) ON DELETE CASCADE,
    model        text        NOT NULL,
    content_hash text        NOT NULL,
    dims         integer     NOT NULL,
    embedding    vector      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (motion_id, model)
);

CREATE TABLE IF NOT EXISTS embedding_failures (
    motion_id    uuid        NOT NULL,
    model        text        NOT NULL,
    content_hash text        NOT NULL,
    failures     integer     NOT NULL DEFAULT 0,
    quarantined  boolean     NOT NULL DEFAULT false,
    last_error   text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (motion_id, model)
);

-- Failed-id lists too large for XCom: XCom carries the ref.
CREATE TABLE IF NOT EXISTS failed_id_sets (
    ref        uuid PRIMARY KEY,
    ids        uuid[]      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS similarity_versions (
    version      bigserial PRIMARY KEY,
    model        text        NOT NULL,
    status       text        NOT NULL DEFAULT 'computed',  -- computed | published | rejected | retired
    mode         text        NOT NULL DEFAULT 'full',
    params       jsonb       NOT NULL DEFAULT '{}',
    motion_count integer     NOT NULL DEFAULT 0,
    run_id       text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE TABLE IF NOT EXISTS motion_neighbours (
    version     bigint  NOT NULL REFERENCES similarity_versions (version) ON DELETE CASCADE,
    motion_id   uuid    NOT NULL,
    rank        integer NOT NULL,
    neighbour_id uuid   NOT NULL,
    score       real    NOT NULL,
    PRIMARY KEY (version, motion_id, rank)
);

CREATE TABLE IF NOT EXISTS motion_duplicates (
    version      bigint NOT NULL REFERENCES similarity_versions (version) ON DELETE CASCADE,
    motion_id    uuid   NOT NULL,
    duplicate_id uuid   NOT NULL,
    PRIMARY KEY (version, motion_id, duplicate_id)
);

-- Exactly one row: the version readers see. Publishing is one UPDATE of this row.
CREATE TABLE IF NOT EXISTS similarity_current (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint  REFERENCES similarity_versions (version)
);
INSERT INTO similarity_current (singleton, version) VALUES (true, NULL) ON CONFLICT DO NOTHING;

CREATE OR REPLACE VIEW motion_related AS
SELECT n.version, n.motion_id, n.rank, n.neighbour_id, n.score
FROM motion_neighbours n
JOIN similarity_current c ON c.version = n.version;

CREATE TABLE IF NOT EXISTS audit_events (
    id        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    at        timestamptz NOT NULL DEFAULT now(),
    action    text        NOT NULL,
    target    text,
    metadata  jsonb       NOT NULL DEFAULT '{}',
    dag_id    text,
    run_id    text,
    task_id   text,
    map_index integer
);
CREATE INDEX IF NOT EXISTS audit_events_action_at ON audit_events (action, at);

CREATE TABLE IF NOT EXISTS qa_reports (
    run_id     text        NOT NULL,
    version    bigint      NOT NULL,
    metrics    jsonb       NOT NULL,
    passed     boolean     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, version)
);
