-- 008: one row per task try of a run: what it did, how long it took, what failed (idempotent).
CREATE TABLE IF NOT EXISTS run_metrics (
    dag_id      text        NOT NULL,
    run_id      text        NOT NULL,
    task_id     text        NOT NULL,
    map_index   integer     NOT NULL DEFAULT -1,
    try_number  integer     NOT NULL DEFAULT 1,
    seconds     double precision NOT NULL,
    items       bigint      NOT NULL DEFAULT 0,   -- what the task is about: entities, motions, vectors, rows
    failures    bigint      NOT NULL DEFAULT 0,
    summary     text        NOT NULL,             -- the task's one-line summary
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dag_id, run_id, task_id, map_index, try_number)
);
CREATE INDEX IF NOT EXISTS run_metrics_recent ON run_metrics (recorded_at DESC);
