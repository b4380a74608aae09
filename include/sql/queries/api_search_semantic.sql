-- Semantic search: live motions ranked exactly by cosine between their vector (of the model) and
-- the query's; the same optional filters as api_search_text (search_filters).
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome, 1 - (e.embedding <=> %(vector)s::vector) AS rank, NULL::text AS snippet,
       NULL::bigint AS total
FROM motions m
JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
WHERE NOT m.deleted
  -- include: search_filters
ORDER BY e.embedding <=> %(vector)s::vector, m.id
LIMIT %(limit)s OFFSET %(offset)s
