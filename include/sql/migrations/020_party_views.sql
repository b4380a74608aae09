-- 020 (idempotent): the party pages read a party's votes (api_party_timeline, api_party_votes);
-- an index on the party, so they do not scan every vote.
CREATE INDEX IF NOT EXISTS motion_votes_party ON motion_votes (party);
