-- The one-line summaries of the tasks of the newest run, in the order they finished (newest try each).
SELECT DISTINCT ON (task_id, map_index) task_id, map_index, summary, recorded_at
FROM run_metrics WHERE run_id = (SELECT run_id FROM run_metrics ORDER BY recorded_at DESC LIMIT 1)
ORDER BY task_id, map_index, try_number DESC
