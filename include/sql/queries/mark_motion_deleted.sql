UPDATE motions SET deleted = true, source_hash = %(source_hash)s, updated_at = now()
WHERE id = %(id)s AND NOT deleted
