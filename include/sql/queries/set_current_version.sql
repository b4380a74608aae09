UPDATE similarity_current SET version = %(version)s WHERE singleton
