-- The live motions the published version lists that arrived since the last run (one statement;
-- motion_alerts runs one at a time). Returns the highest arrival, the watermark of this run.
WITH added AS (
    INSERT INTO alert_arrivals (motion_id, version)
    SELECT n.motion_id, min(c.version)
    FROM similarity_current c
    JOIN motion_neighbours n ON n.version = c.version
    JOIN motions m ON m.id = n.motion_id AND NOT m.deleted
    GROUP BY n.motion_id
    ORDER BY n.motion_id
    ON CONFLICT (motion_id) DO NOTHING
    RETURNING seq)
SELECT (SELECT count(*) FROM added) AS added,
       greatest((SELECT max(seq) FROM added), (SELECT coalesce(max(seq), 0) FROM alert_arrivals)) AS upto
