-- Which of names are parties the store has a vote of on a live motion: per name an index lookup
-- (motion_votes_party) that stops at its first such vote.
SELECT n AS party
FROM unnest(%(names)s::text[]) AS n
WHERE EXISTS (SELECT 1 FROM motion_votes v JOIN motions m ON m.id = v.motion_id WHERE v.party = n AND NOT m.deleted)
