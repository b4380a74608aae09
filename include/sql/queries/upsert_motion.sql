-- Body fields are owned by the body fetcher and are never touched here.
INSERT INTO motions AS m (id, nummer, title, dossier_title, dossier, submitters, started_on, document_id,
                          document_versie_id, document_nummer, outcome, kamerstuk, debate_id, replaces_kamerstuk,
                          replaces_ids, amended, source_hash, deleted, updated_at)
VALUES (%(id)s, %(nummer)s, %(title)s, %(dossier_title)s, %(dossier)s, %(submitters)s, %(started_on)s, %(document_id)s,
        %(document_versie_id)s, %(document_nummer)s, %(outcome)s, %(kamerstuk)s, %(debate_id)s, %(replaces_kamerstuk)s,
        %(replaces_ids)s::uuid[], %(amended)s, %(source_hash)s, %(deleted)s, now())
ON CONFLICT (id) DO UPDATE SET
    nummer = EXCLUDED.nummer, title = EXCLUDED.title, dossier_title = EXCLUDED.dossier_title, dossier = EXCLUDED.dossier,
    submitters = EXCLUDED.submitters, started_on = EXCLUDED.started_on, document_id = EXCLUDED.document_id,
    document_versie_id = EXCLUDED.document_versie_id, document_nummer = EXCLUDED.document_nummer,
    outcome = EXCLUDED.outcome, kamerstuk = EXCLUDED.kamerstuk, debate_id = EXCLUDED.debate_id,
    replaces_kamerstuk = EXCLUDED.replaces_kamerstuk, replaces_ids = EXCLUDED.replaces_ids, amended = EXCLUDED.amended,
    source_hash = EXCLUDED.source_hash, deleted = EXCLUDED.deleted, updated_at = now()
WHERE m.source_hash <> EXCLUDED.source_hash
RETURNING id
