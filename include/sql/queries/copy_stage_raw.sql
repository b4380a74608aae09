COPY stage_raw (category, id, bijgewerkt, deleted, content_hash, data, skiptoken) FROM STDIN
