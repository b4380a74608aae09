-- A motion of the published version with an earlier version, for the demo report.
SELECT motion_id::text AS id FROM motion_versions_current ORDER BY position, motion_id LIMIT 1
