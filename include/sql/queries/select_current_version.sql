SELECT v.* FROM similarity_current c JOIN similarity_versions v ON v.version = c.version
