UPDATE similarity_versions SET status = 'published', published_at = now() WHERE version = %(version)s
