-- Per model: vectors that match the current text (and the model's dimension), stale ones, vectors
-- of a wrong dimension, failures and quarantined.
SELECT e.model, em.dims,
       count(*) FILTER (WHERE e.content_hash = m.embed_hash AND e.dims = coalesce(em.dims, e.dims) AND NOT m.deleted) AS current,
       count(*) FILTER (WHERE e.content_hash <> m.embed_hash AND NOT m.deleted) AS stale,
       count(*) FILTER (WHERE e.dims <> coalesce(em.dims, e.dims) AND NOT m.deleted) AS wrong_dims,
       (SELECT count(*) FROM embedding_failures f WHERE f.model = e.model AND NOT f.quarantined) AS failing,
       (SELECT count(*) FROM embedding_failures f WHERE f.model = e.model AND f.quarantined) AS quarantined
FROM motion_embeddings e JOIN motions m ON m.id = e.motion_id
LEFT JOIN embedding_models em ON em.model = e.model
GROUP BY e.model, em.dims ORDER BY e.model
