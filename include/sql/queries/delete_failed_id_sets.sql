-- The failed-id lists a retry is done with (its instances' refs: it re-checked the whole plan, so
-- nobody reads them again), and any older than a week (a run whose retry never came).
DELETE FROM failed_id_sets
WHERE ref = ANY(%(refs)s::uuid[]) OR created_at < now() - interval '7 days'
