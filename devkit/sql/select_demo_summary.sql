-- The published summary of the given motion, else of any motion with requests, with the motion's number and title.
SELECT m.nummer, m.title, c.*
FROM motion_summary_current c JOIN motions m ON m.id = c.motion_id
ORDER BY (c.motion_id = %(id)s::uuid) DESC NULLS LAST, jsonb_array_length(c.requests) DESC, c.motion_id
LIMIT 1
