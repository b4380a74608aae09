-- What a snapshot taken now has seen: every write whose transaction began before the oldest
-- transaction still open in this database (a write's created_at is its transaction's start, and
-- one still open when the snapshot is taken is not in it). The next incremental run treats
-- everything at or after this moment as changed.
SELECT least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                     WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL)) AS as_of
