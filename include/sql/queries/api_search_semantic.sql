-- Semantic search: live motions ranked exactly by cosine between their vector (of the model) and
-- the query's; the same optional filters as api_search_text. Every motion is ranked: no total.
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome, 1 - (e.embedding <=> %(vector)s::vector) AS rank, NULL::text AS snippet,
       NULL::bigint AS total
FROM motions m
JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
WHERE NOT m.deleted
  AND (%(dossier)s::text IS NULL OR coalesce(m.dossier, m.publication_dossier) = %(dossier)s::text)
  AND (%(outcome)s::text IS NULL OR lower(m.outcome) = lower(%(outcome)s::text))
  AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
  AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
  AND (%(parties)s::text[] IS NULL OR EXISTS (
        SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.party = ANY(%(parties)s::text[])
           AND (%(vote)s::text IS NULL OR v.vote = %(vote)s::text)))
ORDER BY e.embedding <=> %(vector)s::vector, m.id
LIMIT %(limit)s OFFSET %(offset)s
