-- Per model: vectors that match the current text, stale ones, failures and quarantined.
SELECT e.model,
       count(*) FILTER (WHERE e.content_hash = m.content_hash AND NOT m.deleted) AS current,
       count(*) FILTER (WHERE e.content_hash <> m.content_hash AND NOT m.deleted) AS stale,
       (SELECT count(*) FROM embedding_failures f WHERE f.model = e.model AND NOT f.quarantined) AS failing,
       (SELECT count(*) FROM embedding_failures f WHERE f.model = e.model AND f.quarantined) AS quarantined
FROM motion_embeddings e JOIN motions m ON m.id = e.motion_id
GROUP BY e.model ORDER BY e.model
