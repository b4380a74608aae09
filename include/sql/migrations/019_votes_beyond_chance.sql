-- 019 (idempotent): (1) the vote component is agreement beyond chance (numerics/relatedness.py):
-- sum_p z_a,p z_b,p / C over each vote centred on its own mean, between -1 and 1, exactly 0 when
-- either vote was unanimous. Stored per listed neighbour (null in versions before 019, whose vote
-- term was (same - different) / C); readers see it in the view motion_related. (2) Indexes for a
-- motion's siblings.
ALTER TABLE motion_neighbours ADD COLUMN IF NOT EXISTS vote_correlation real;

CREATE OR REPLACE VIEW motion_related AS
SELECT n.version, n.motion_id, n.rank, n.neighbour_id, n.score,
       n.text_score, n.vote_same, n.vote_common,
       CASE WHEN n.vote_common >= coalesce((v.params->'weights'->>'min_common_parties')::int, 1)
            THEN n.vote_same::real / n.vote_common END AS vote_agreement,
       n.shared_submitters, n.same_dossier, n.same_debate, n.vote_correlation
FROM motion_neighbours n
JOIN similarity_current c ON c.version = n.version
JOIN similarity_versions v ON v.version = n.version;

-- A motion's siblings (the same dossier or the same debate, api_motion_siblings) are read per page view.
CREATE INDEX IF NOT EXISTS motions_live_dossier ON motions ((coalesce(dossier, publication_dossier))) WHERE NOT deleted;
CREATE INDEX IF NOT EXISTS motions_debate ON motions (debate_id) WHERE debate_id IS NOT NULL;
