-- For a connection that only writes feed pages: each page commits with its checkpoint, so a
-- page lost in a server crash is simply read again. No wait for the WAL flush.
SET synchronous_commit = off
