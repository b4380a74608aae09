-- The cache is valid until the next version: entries of other versions go.
DELETE FROM related_on_demand WHERE version <> %(version)s
