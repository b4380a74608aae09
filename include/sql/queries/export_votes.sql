-- The open export's votes: each live motion's party votes (seats null: unknown), by motion and party.
SELECT v.motion_id::text AS motion_id, v.party, v.vote, v.seats, v.voor, v.tegen
FROM motion_votes v JOIN motions m ON m.id = v.motion_id AND NOT m.deleted
ORDER BY v.motion_id, v.party
