-- The rendered QA page of a run: a given version and try, else the newest.
SELECT run_id, version, try_number, html FROM qa_reports
WHERE run_id = %(run_id)s AND (%(version)s::bigint IS NULL OR version = %(version)s::bigint)
  AND (%(try_number)s::int IS NULL OR try_number = %(try_number)s::int) AND html IS NOT NULL
ORDER BY created_at DESC LIMIT 1
