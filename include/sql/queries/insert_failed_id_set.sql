INSERT INTO failed_id_sets (ref, ids) VALUES (%(ref)s, %(ids)s::uuid[]) ON CONFLICT (ref) DO UPDATE SET ids = EXCLUDED.ids
