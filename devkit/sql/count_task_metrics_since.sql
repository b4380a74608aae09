-- How often a DAG's task recorded its summary since a time (the demo: has sync_content ended?).
SELECT count(*) AS n FROM run_metrics
WHERE dag_id = %(dag_id)s AND task_id = %(task_id)s AND recorded_at >= %(since)s
