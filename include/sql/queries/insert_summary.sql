-- A validated summary with its provenance; unpublished until its run's QA passes. A summary of
-- the same key from an earlier try stays as it was (the first validated one wins), except an
-- extractive one, which a model's summary replaces (published again by this run).
INSERT INTO motion_summaries (motion_id, text_hash, prompt_version, schema_version, status, summary_nl, summary_en,
                              requests, topics, inferred, backend, model, chain, attempts, input_tokens,
                              output_tokens, latency_ms, run_id)
VALUES (%(motion_id)s, %(text_hash)s, %(prompt_version)s, %(schema_version)s, %(status)s, %(summary_nl)s,
        %(summary_en)s, %(requests)s, %(topics)s, %(inferred)s, %(backend)s, %(model)s, %(chain)s, %(attempts)s,
        %(input_tokens)s, %(output_tokens)s, %(latency_ms)s, %(run_id)s)
ON CONFLICT (motion_id, text_hash, prompt_version, schema_version) DO UPDATE SET
    status = EXCLUDED.status, summary_nl = EXCLUDED.summary_nl, summary_en = EXCLUDED.summary_en,
    requests = EXCLUDED.requests, topics = EXCLUDED.topics, inferred = EXCLUDED.inferred, backend = EXCLUDED.backend,
    model = EXCLUDED.model, chain = EXCLUDED.chain, attempts = EXCLUDED.attempts, input_tokens = EXCLUDED.input_tokens,
    output_tokens = EXCLUDED.output_tokens, latency_ms = EXCLUDED.latency_ms, run_id = EXCLUDED.run_id,
    created_at = now(), published_at = NULL
WHERE motion_summaries.status = 'extractive' AND EXCLUDED.status <> 'extractive'
