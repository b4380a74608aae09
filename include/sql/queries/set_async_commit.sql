-- A page's rows and its checkpoint commit together, so losing the last commits in a server
-- crash only means re-reading those pages: no need to wait for the WAL flush on every page.
SET LOCAL synchronous_commit = off
