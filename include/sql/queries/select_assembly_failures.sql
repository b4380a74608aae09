SELECT zaak_id FROM assembly_failures ORDER BY zaak_id
