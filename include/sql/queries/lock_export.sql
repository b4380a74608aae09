-- The open export's lock, held until the transaction ends: one export at a time, whichever machine runs it
-- (an Airflow try and the command line), so the second finds the first's files complete.
SELECT pg_advisory_xact_lock(hashtextextended('motion_ops.export', 0))
