UPDATE similarity_versions SET status = 'rejected' WHERE version = %(version)s AND status = 'computed'
