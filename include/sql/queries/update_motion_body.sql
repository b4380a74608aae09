UPDATE motions SET body_text = %(body_text)s, content_hash = %(content_hash)s, body_source = %(body_source)s,
                   body_versie_id = %(versie_id)s, publication_dossier = %(dossier)s,
                   publication_kamerstuk = %(kamerstuk)s, body_fetched_at = now(), updated_at = now()
WHERE id = %(id)s
