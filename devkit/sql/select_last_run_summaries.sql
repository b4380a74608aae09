-- The one-line summaries of the tasks of each DAG's newest run, in the order they finished (newest try each).
SELECT DISTINCT ON (r.dag_id, r.task_id, r.map_index) r.dag_id, r.task_id, r.map_index, r.summary, r.recorded_at
FROM run_metrics r
WHERE r.run_id = (SELECT n.run_id FROM run_metrics n WHERE n.dag_id = r.dag_id ORDER BY n.recorded_at DESC LIMIT 1)
ORDER BY r.dag_id, r.task_id, r.map_index, r.try_number DESC
