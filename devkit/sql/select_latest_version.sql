SELECT * FROM similarity_versions ORDER BY version DESC LIMIT 1
