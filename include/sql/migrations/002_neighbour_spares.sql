-- 002: spare neighbours beyond top_n and a per-motion floor (every motion scoring above the floor
-- is in the list), so an incremental update can repair a list that lost a neighbour without
-- recomputing the row. Readers never see these tables. Idempotent.
CREATE TABLE IF NOT EXISTS motion_neighbour_spares (
    version      bigint  NOT NULL REFERENCES similarity_versions (version) ON DELETE CASCADE,
    motion_id    uuid    NOT NULL,
    rank         integer NOT NULL,
    neighbour_id uuid    NOT NULL,
    score        real    NOT NULL,
    PRIMARY KEY (version, motion_id, rank)
);
CREATE TABLE IF NOT EXISTS motion_neighbour_floors (
    version   bigint NOT NULL REFERENCES similarity_versions (version) ON DELETE CASCADE,
    motion_id uuid   NOT NULL,
    floor     real   NOT NULL,
    PRIMARY KEY (version, motion_id)
);
