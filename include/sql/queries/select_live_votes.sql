SELECT v.motion_id::text AS motion_id, v.party, v.vote, v.seats
FROM motion_votes v JOIN motions m ON m.id = v.motion_id
WHERE NOT m.deleted
