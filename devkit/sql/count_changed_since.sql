SELECT count(*) AS n FROM raw_entities WHERE synced_at >= %(since)s
