DELETE FROM similarity_versions WHERE version = %(version)s AND status IN ('computed', 'rejected')
