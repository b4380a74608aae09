-- The summaries a run stored and has not published yet (QA samples them; publish releases them).
SELECT s.motion_id::text AS motion_id, s.status, s.summary_nl, s.summary_en, s.requests, s.topics, s.inferred,
       s.backend, s.model, s.attempts, s.input_tokens, s.output_tokens, s.latency_ms,
       m.nummer, m.title, m.body_text, coalesce(m.dossier, m.publication_dossier) AS dossier, m.dossier_title
FROM motion_summaries s JOIN motions m ON m.id = s.motion_id
WHERE s.run_id = %(run_id)s AND s.published_at IS NULL
ORDER BY s.motion_id
