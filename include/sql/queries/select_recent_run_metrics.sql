-- The last runs' tasks (newest try of each, mapped instances summed), newest run first.
WITH last_try AS (
    SELECT DISTINCT ON (dag_id, run_id, task_id, map_index) *
    FROM run_metrics ORDER BY dag_id, run_id, task_id, map_index, try_number DESC
), runs AS (
    SELECT dag_id, run_id, min(recorded_at) AS started FROM last_try GROUP BY dag_id, run_id
    ORDER BY started DESC LIMIT %(runs)s
)
SELECT r.run_id, r.started, t.task_id, sum(t.seconds) AS seconds, sum(t.items) AS items, sum(t.failures) AS failures,
       count(*) AS instances
FROM runs r JOIN last_try t USING (dag_id, run_id)
GROUP BY r.run_id, r.started, t.task_id ORDER BY r.started DESC, min(t.recorded_at)
