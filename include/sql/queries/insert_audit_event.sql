INSERT INTO audit_events (action, target, metadata, dag_id, run_id, task_id, map_index)
VALUES (%(action)s, %(target)s, %(metadata)s::jsonb, %(dag_id)s, %(run_id)s, %(task_id)s, %(map_index)s)
