SELECT at, action, target, metadata, dag_id, run_id, task_id, map_index FROM audit_events
WHERE (%(action)s::text IS NULL OR action = %(action)s) AND (%(since)s::timestamptz IS NULL OR at >= %(since)s::timestamptz)
ORDER BY at DESC LIMIT %(limit)s
