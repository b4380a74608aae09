-- Summaries for `status` (the spend counts every attempt, refused answers too): of the live motions with text, how many have a current published
-- summary, by status; unpublished ones waiting for QA; quarantined motions.
SELECT (SELECT count(*) FROM motions WHERE NOT deleted AND body_text IS NOT NULL) AS with_text,
       (SELECT count(*) FROM motion_summary_current c JOIN motions m ON m.id = c.motion_id WHERE NOT m.deleted) AS published,
       (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (
            SELECT c.status, count(*) AS n FROM motion_summary_current c GROUP BY c.status) x) AS by_status,
       (SELECT count(*) FROM motion_summaries WHERE published_at IS NULL) AS unpublished,
       (SELECT count(*) FROM summary_failures WHERE quarantined) AS quarantined,
       (SELECT coalesce(sum(input_tokens), 0) FROM summary_spend) AS input_tokens,
       (SELECT coalesce(sum(output_tokens), 0) FROM summary_spend) AS output_tokens,
       (SELECT coalesce(sum(cost), 0) FROM summary_spend) AS cost
