DELETE FROM assembly_failures WHERE zaak_id = %(zaak_id)s
