UPDATE similarity_versions SET status = 'computed', params = params || %(stats)s::jsonb WHERE version = %(version)s
