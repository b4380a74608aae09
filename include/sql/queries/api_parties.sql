-- Every party the store has votes of (as the store names it), with how many motions it voted on
-- and when it first and last voted; with party: only that one (no row: no votes of it).
SELECT v.party, count(*) AS motions, min(m.started_on) AS first_vote, max(m.started_on) AS last_vote
FROM motion_votes v JOIN motions m ON m.id = v.motion_id
WHERE NOT m.deleted AND (%(party)s::text IS NULL OR v.party = %(party)s::text)
GROUP BY v.party ORDER BY count(*) DESC, v.party
