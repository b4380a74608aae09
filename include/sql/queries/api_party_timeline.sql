-- A party's votes per month (any of its names): voor, tegen, not taking part, and how often it was
-- on the winning side of a decided vote (Voor on an adopted motion, Tegen on a rejected one).
SELECT date_trunc('month', m.started_on)::date AS month,
       count(*) FILTER (WHERE v.vote = 'Voor') AS voor,
       count(*) FILTER (WHERE v.vote = 'Tegen') AS tegen,
       count(*) FILTER (WHERE v.vote NOT IN ('Voor', 'Tegen')) AS other,
       count(*) FILTER (WHERE v.vote IN ('Voor', 'Tegen') AND lower(m.outcome) IN ('aangenomen', 'verworpen')) AS decided,
       count(*) FILTER (WHERE (v.vote = 'Voor' AND lower(m.outcome) = 'aangenomen')
                           OR (v.vote = 'Tegen' AND lower(m.outcome) = 'verworpen')) AS won
FROM motion_votes v JOIN motions m ON m.id = v.motion_id
WHERE NOT m.deleted AND v.party = ANY(%(parties)s::text[]) AND m.started_on IS NOT NULL
GROUP BY 1 ORDER BY 1
