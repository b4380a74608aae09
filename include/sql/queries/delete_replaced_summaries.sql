-- The extractive summaries (published or not) that a model's summary of the same key, about to be
-- published by this run, replaces; in the same transaction as publish_run_summaries.
DELETE FROM motion_summaries e
USING motion_summaries r
WHERE r.run_id = %(run_id)s AND r.published_at IS NULL AND NOT r.extractive AND e.extractive
  AND e.motion_id = r.motion_id AND e.text_hash = r.text_hash
  AND e.prompt_version = r.prompt_version AND e.schema_version = r.schema_version
