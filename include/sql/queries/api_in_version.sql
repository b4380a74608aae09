-- Is the motion in the version: listed, or an earlier version of a listed one (its head)?
SELECT EXISTS (SELECT 1 FROM motion_neighbours WHERE version = %(version)s AND motion_id = %(id)s) AS listed,
       (SELECT e.motion_id::text FROM motion_earlier_versions e
        WHERE e.version = %(version)s AND e.earlier_id = %(id)s
          AND NOT EXISTS (SELECT 1 FROM motion_earlier_versions h WHERE h.version = e.version AND h.earlier_id = e.motion_id)
        LIMIT 1) AS represented_by,
       EXISTS (SELECT 1 FROM motion_neighbour_floors WHERE version = %(version)s AND motion_id = %(id)s) AS computed
