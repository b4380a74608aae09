INSERT INTO run_metrics (dag_id, run_id, task_id, map_index, try_number, seconds, items, failures, summary)
VALUES (%(dag_id)s, %(run_id)s, %(task_id)s, %(map_index)s, %(try_number)s, %(seconds)s, %(items)s, %(failures)s, %(summary)s)
ON CONFLICT (dag_id, run_id, task_id, map_index, try_number) DO UPDATE
    SET seconds = EXCLUDED.seconds, items = EXCLUDED.items, failures = EXCLUDED.failures, summary = EXCLUDED.summary,
        recorded_at = now()
