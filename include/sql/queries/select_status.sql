SELECT
    (SELECT count(*) FROM motions WHERE NOT deleted) AS live,
    (SELECT count(*) FROM motions WHERE deleted) AS deleted,
    (SELECT count(*) FROM motions WHERE NOT deleted AND body_text IS NOT NULL) AS with_text,
    (SELECT count(*) FROM motions WHERE NOT deleted AND body_text IS NULL) AS without_text,
    (SELECT count(*) FROM body_fetch_state WHERE failures > 0) AS body_failing,
    (SELECT count(*) FROM motion_votes) AS vote_rows,
    (SELECT count(*) FROM raw_entities) AS raw_entities,
    (SELECT count(*) FROM audit_events) AS audit_events
