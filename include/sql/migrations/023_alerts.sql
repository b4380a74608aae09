-- 023: e-mail digests (idempotent). A subscription holds only what sending needs: the address,
-- what it follows, how often, when it was requested (to expire an unconfirmed request and to send
-- its confirmation at most once an hour) and confirmed, and its progress (the arrivals it covered,
-- the day or week of its last digest).
CREATE TABLE IF NOT EXISTS alert_subscriptions (
    id           uuid        PRIMARY KEY,
    email        text        NOT NULL CHECK (length(email) <= 254),
    kind         text        NOT NULL CHECK (kind IN ('search', 'dossier', 'party', 'like')),
    spec         jsonb       NOT NULL,
    frequency    text        NOT NULL CHECK (frequency IN ('daily', 'weekly')),
    requested_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,
    sent_seq     bigint,      -- every arrival up to this one is covered
    sent_period  text,        -- the day (YYYY-MM-DD) or week (YYYY-Www) of the last digest sent
    UNIQUE (email, kind, spec)
);

-- When each motion first reached readers in a published version: "new since the last digest" is
-- an arrival after the subscription's sent_seq. Registered by motion_alerts after each publish.
CREATE TABLE IF NOT EXISTS alert_arrivals (
    seq        bigserial   UNIQUE,
    motion_id  uuid        PRIMARY KEY,
    version    bigint      NOT NULL,
    arrived_at timestamptz NOT NULL DEFAULT now()
);
-- what is published now is the baseline: nothing already there is "new" to a first digest
INSERT INTO alert_arrivals (motion_id, version)
SELECT DISTINCT n.motion_id, c.version
FROM similarity_current c JOIN motion_neighbours n ON n.version = c.version
ON CONFLICT (motion_id) DO NOTHING;

-- The readers' app subscribes, confirms and deletes (as motion_reader, which otherwise only reads).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'motion_reader') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON alert_subscriptions TO motion_reader;
    END IF;
END $$;
