-- 009: related motions that are really related and say why (idempotent).

-- What the score and the versions of one motion need, assembled from the feed.
ALTER TABLE motions ADD COLUMN IF NOT EXISTS kamerstuk text;              -- "19637-3384", DocumentVersie.externeidentifier
ALTER TABLE motions ADD COLUMN IF NOT EXISTS debate_id uuid;              -- the vote's agendapunt (Besluit.agendapunt)
ALTER TABLE motions ADD COLUMN IF NOT EXISTS replaces_kamerstuk text;     -- "(t.v.v. 19637-3370)" in the title
ALTER TABLE motions ADD COLUMN IF NOT EXISTS replaces_ids uuid[] NOT NULL DEFAULT '{}';  -- Zaak.vervangenVanuit
ALTER TABLE motions ADD COLUMN IF NOT EXISTS amended boolean NOT NULL DEFAULT false;    -- a "Gewijzigde motie"
-- From the publication XML (owned by the body fetcher): the last fallback for the dossier.
ALTER TABLE motions ADD COLUMN IF NOT EXISTS publication_dossier text;    -- <dossiernr>
ALTER TABLE motions ADD COLUMN IF NOT EXISTS publication_kamerstuk text;  -- <dossiernr>-<ondernummer>
-- What the embedding recipe reads: a change of any of it makes the motion's vector missing.
ALTER TABLE motions ADD COLUMN IF NOT EXISTS embed_hash text GENERATED ALWAYS AS (
    md5(coalesce(body_text, '') || chr(31) || coalesce(title, '') || chr(31) || coalesce(dossier_title, ''))) STORED;

-- Motions are assembled once more (the new fields; dossiers written "21501-32"), then only on change.
DELETE FROM stage_watermarks WHERE stage = 'assembly';

-- Score components per listed neighbour (null in versions before 009).
ALTER TABLE motion_neighbours ADD COLUMN IF NOT EXISTS text_score real;
ALTER TABLE motion_neighbours ADD COLUMN IF NOT EXISTS vote_same smallint;          -- parties that voted the same
ALTER TABLE motion_neighbours ADD COLUMN IF NOT EXISTS vote_common smallint;        -- parties that voted on both
ALTER TABLE motion_neighbours ADD COLUMN IF NOT EXISTS shared_submitters smallint;
ALTER TABLE motion_neighbours ADD COLUMN IF NOT EXISTS same_dossier boolean;
ALTER TABLE motion_neighbours ADD COLUMN IF NOT EXISTS same_debate boolean;

-- Earlier versions of a motion, as a version computed them (newest first).
CREATE TABLE IF NOT EXISTS motion_earlier_versions (
    version    bigint  NOT NULL REFERENCES similarity_versions (version) ON DELETE CASCADE,
    motion_id  uuid    NOT NULL,
    position   integer NOT NULL,
    earlier_id uuid    NOT NULL,
    signal     text    NOT NULL,   -- zaak | tvv | text | chain
    PRIMARY KEY (version, motion_id, position)
);
CREATE INDEX IF NOT EXISTS motion_earlier_versions_earlier ON motion_earlier_versions (version, earlier_id);

-- Readers' views of the published version: neighbours with their components (agreement only
-- over at least the version's min_common_parties), and earlier versions.
CREATE OR REPLACE VIEW motion_related AS
SELECT n.version, n.motion_id, n.rank, n.neighbour_id, n.score,
       n.text_score, n.vote_same, n.vote_common,
       CASE WHEN n.vote_common >= coalesce((v.params->'weights'->>'min_common_parties')::int, 1)
            THEN n.vote_same::real / n.vote_common END AS vote_agreement,
       n.shared_submitters, n.same_dossier, n.same_debate
FROM motion_neighbours n
JOIN similarity_current c ON c.version = n.version
JOIN similarity_versions v ON v.version = n.version;

CREATE OR REPLACE VIEW motion_versions_current AS
SELECT e.motion_id, e.position, e.earlier_id, e.signal
FROM motion_earlier_versions e JOIN similarity_current c ON c.version = e.version;
