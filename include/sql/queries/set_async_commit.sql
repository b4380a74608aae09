-- Losing the last commits in a server crash only means redoing them: a page and its checkpoint
-- commit together (re-read), a batch of vectors is planned again. No wait for the WAL flush.
SET LOCAL synchronous_commit = off
