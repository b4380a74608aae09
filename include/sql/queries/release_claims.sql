-- A run gives up its claims on motions of a stage (another run's claims stay).
DELETE FROM work_claims WHERE stage = %(stage)s AND motion_id = ANY(%(ids)s::uuid[]) AND run_id = %(run_id)s
