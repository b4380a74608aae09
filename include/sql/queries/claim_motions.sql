-- Claim motions for a stage: free ones, expired ones and the run's own; RETURNING what it now holds.
-- Concurrent claims of the same motion serialize on its key: exactly one run gets it.
INSERT INTO work_claims AS c (stage, motion_id, run_id, claimed_at, expires_at)
SELECT %(stage)s, id, %(run_id)s, now(), now() + make_interval(secs => %(ttl_seconds)s)
FROM (SELECT DISTINCT unnest(%(ids)s::uuid[]) AS id) AS wanted
ORDER BY id  -- one order for every run: two runs claiming overlapping sets never deadlock
ON CONFLICT (stage, motion_id) DO UPDATE SET
    run_id = EXCLUDED.run_id, claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
WHERE c.run_id = EXCLUDED.run_id OR c.expires_at <= now()
RETURNING motion_id::text AS motion_id
