-- One request of an address (in any capitals) at a time (every app process): its limits are counted and kept exactly.
SELECT pg_advisory_xact_lock(hashtextextended(lower(%(email)s), 28))
