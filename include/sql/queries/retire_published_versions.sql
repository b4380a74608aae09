UPDATE similarity_versions SET status = 'retired' WHERE status = 'published' AND version <> %(version)s
