-- Semantic search: live motions ranked exactly by cosine between their vector (of the model) and
-- the query's, moved towards its best matches (pseudo-relevance feedback): the query's unit vector
-- plus the vectors of the first %(feedback)s motions by cosine to it (0: the query alone); rank is
-- the cosine to that vector. The same optional filters as api_search_text (search_filters). Every
-- motion is ranked: no total.
WITH live AS NOT MATERIALIZED (
    SELECT m.id, e.embedding FROM motions m
    JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
    WHERE NOT m.deleted
      -- include: search_filters
    ),
best AS (SELECT l.embedding FROM live l ORDER BY l.embedding <=> %(vector)s::vector, l.id LIMIT %(feedback)s),
qv AS (SELECT CASE WHEN count(*) = 0 THEN %(vector)s::vector ELSE %(vector)s::vector + sum(b.embedding) END AS v
       FROM best b)
SELECT m.id::text AS id, m.nummer, m.title, m.started_on, coalesce(m.dossier, m.publication_dossier) AS dossier,
       m.dossier_title, m.outcome, 1 - (l.embedding <=> qv.v) AS rank, NULL::text AS snippet,
       NULL::bigint AS total
FROM live l JOIN motions m ON m.id = l.id, qv
ORDER BY l.embedding <=> qv.v, m.id
LIMIT %(limit)s OFFSET %(offset)s
