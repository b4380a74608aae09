INSERT INTO summary_spend (run_id, motion_id, backend, ok, requests, input_tokens, output_tokens, cost)
VALUES (%(run_id)s, %(motion_id)s, %(backend)s, %(ok)s, %(requests)s, %(input_tokens)s, %(output_tokens)s, %(cost)s)
