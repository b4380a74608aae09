-- The published summary of a motion's current text, with its provenance.
SELECT status, summary_nl, summary_en, requests, topics, inferred, backend, model, prompt_version, schema_version,
       attempts, input_tokens, output_tokens, latency_ms, published_at
FROM motion_summary_current WHERE motion_id = %(id)s::uuid
