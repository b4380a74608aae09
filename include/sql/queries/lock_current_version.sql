-- The current version, locked until the publishing transaction ends (two publishers queue here).
SELECT version FROM similarity_current WHERE singleton FOR UPDATE
