-- 015: pilots before paid runs (idempotent). A pilot's report is kept per run; a decision on a
-- (chain, prompt key) is kept with who made it and when, so later runs skip the pilot while the
-- chain stays the same; a revoked approval makes the next run pilot again.
CREATE TABLE IF NOT EXISTS pilot_reports (
    run_id      text        NOT NULL,
    chain       text        NOT NULL,
    prompt_key  text        NOT NULL,
    report      jsonb       NOT NULL,
    report_path text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, chain, prompt_key)
);
CREATE TABLE IF NOT EXISTS llm_approvals (
    chain       text        NOT NULL,
    prompt_key  text        NOT NULL,
    decision    text        NOT NULL CHECK (decision IN ('approved', 'rejected', 'revoked')),
    decided_by  text        NOT NULL,
    decided_at  timestamptz NOT NULL DEFAULT now(),
    run_id      text,
    report_path text,
    PRIMARY KEY (chain, prompt_key)
);
