-- Every similarity version the store still keeps (publishing prunes the rest: keep_versions); an
-- export of a version not among them is removed.
SELECT version FROM similarity_versions
