-- When the store last changed anything a feed shows: a motion (deleted ones too: a motion leaving a feed
-- changes it) or the published version (the neighbours by meaning). A feed's `updated` is never earlier.
SELECT greatest((SELECT max(updated_at) FROM motions),
                (SELECT v.published_at FROM similarity_current c JOIN similarity_versions v ON v.version = c.version))
       AS changed
