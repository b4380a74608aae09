SELECT coalesce(dossier, publication_dossier) AS dossier, max(dossier_title) AS title, count(*) AS n
FROM motions WHERE NOT deleted AND coalesce(dossier, publication_dossier) IS NOT NULL
GROUP BY 1 ORDER BY n DESC, 1 LIMIT %(limit)s
