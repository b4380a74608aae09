COPY stage_refs (category, id, rel, target_id) FROM STDIN
