-- The cache is valid until the next version: entries of versions before the published one go.
DELETE FROM related_on_demand WHERE version < (SELECT version FROM similarity_current)
