-- The motions a version listed as earlier versions (hidden from its neighbour lists).
SELECT DISTINCT earlier_id::text AS id FROM motion_earlier_versions WHERE version = %(version)s
