-- 011: motions are looked up by their Zaak number as often as by id (the read API's
-- /api/motions/{key}, the CLI): an index, so such a lookup is two index probes, not a scan.
CREATE INDEX IF NOT EXISTS motions_nummer ON motions (nummer);
