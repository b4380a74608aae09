SELECT count(*) AS n FROM motions WHERE body_fetched_at >= %(since)s
