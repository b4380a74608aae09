-- One request of an address at a time (every app process): its limits are counted and kept exactly.
SELECT pg_advisory_xact_lock(hashtextextended(%(email)s, 28))
