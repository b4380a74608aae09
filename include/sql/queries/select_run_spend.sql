-- What a run has spent so far: motions attempted and summarized, tokens and cost.
SELECT count(*) AS attempted, count(*) FILTER (WHERE ok) AS summarized,
       coalesce(sum(input_tokens + output_tokens), 0) AS tokens, coalesce(sum(cost), 0) AS cost
FROM summary_spend WHERE run_id = %(run_id)s
