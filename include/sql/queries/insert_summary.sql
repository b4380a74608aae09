-- A validated summary with its provenance; unpublished until its run's QA passes. A summary of
-- the same key from an earlier try stays as it was (the first validated one wins). A model's
-- summary of a motion that has an extractive one is stored beside it (the key includes
-- `extractive`): readers keep the extractive one until publish swaps them.
INSERT INTO motion_summaries (motion_id, text_hash, prompt_version, schema_version, status, summary_nl, summary_en,
                              requests, topics, inferred, backend, model, chain, attempts, input_tokens,
                              output_tokens, latency_ms, run_id)
VALUES (%(motion_id)s, %(text_hash)s, %(prompt_version)s, %(schema_version)s, %(status)s, %(summary_nl)s,
        %(summary_en)s, %(requests)s, %(topics)s, %(inferred)s, %(backend)s, %(model)s, %(chain)s, %(attempts)s,
        %(input_tokens)s, %(output_tokens)s, %(latency_ms)s, %(run_id)s)
ON CONFLICT (motion_id, text_hash, prompt_version, schema_version, extractive) DO NOTHING
