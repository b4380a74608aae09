INSERT INTO assembly_failures AS f (zaak_id, last_error) VALUES (%(zaak_id)s, %(error)s)
ON CONFLICT (zaak_id) DO UPDATE SET failures = f.failures + 1, last_error = EXCLUDED.last_error, updated_at = now()
