-- 018: a decision may be 'pending' (idempotent): a nightly run piloted a paid embedding model and
-- went on without it; the pilot's report waits for a person (a manual run's approve step, or the CLI).
ALTER TABLE llm_approvals DROP CONSTRAINT IF EXISTS llm_approvals_decision_check;
ALTER TABLE llm_approvals ADD CONSTRAINT llm_approvals_decision_check
    CHECK (decision IN ('approved', 'rejected', 'revoked', 'pending'));
