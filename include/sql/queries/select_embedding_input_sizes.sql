-- The characters each planned motion sends to the embedding provider (title, dossier title and
-- body, capped at the provider's max_input_chars), for the token and cost budgets and estimates.
SELECT m.id::text AS id,
       least(length(m.body_text) + length(coalesce(m.title, '')) + length(coalesce(m.dossier_title, '')),
             %(max_chars)s::int) AS chars
FROM motions m WHERE m.id = ANY(%(ids)s::uuid[]) AND m.body_text IS NOT NULL
