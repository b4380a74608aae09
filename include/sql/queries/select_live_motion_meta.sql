-- What the score and the versions of one motion need, per live motion with a current vector.
SELECT m.id::text AS id, m.content_hash, m.title, m.nummer, m.started_on::text AS started_on,
       coalesce(m.dossier, m.publication_dossier) AS dossier, coalesce(m.kamerstuk, m.publication_kamerstuk) AS kamerstuk,
       m.replaces_kamerstuk, m.replaces_ids::text[] AS replaces_ids, m.amended, m.debate_id::text AS debate_id,
       m.submitters
FROM motions m JOIN motion_embeddings e ON e.motion_id = m.id AND e.model = %(model)s AND e.content_hash = m.embed_hash
WHERE NOT m.deleted AND e.dims = %(dims)s
ORDER BY m.id
