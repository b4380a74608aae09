-- Summaries of the current key that an earlier run stored but never published (its QA failed, or
-- it stopped before publish): this run checks them in its QA and publishes them with its own.
UPDATE motion_summaries s SET run_id = %(run_id)s
FROM motions m
WHERE m.id = s.motion_id AND s.text_hash = m.embed_hash AND NOT m.deleted
  AND s.prompt_version = %(prompt_version)s AND s.schema_version = %(schema_version)s
  AND s.published_at IS NULL AND s.run_id IS DISTINCT FROM %(run_id)s
