-- The optional filters of a search on motions m, each NULL: not applied (fragment search_filters:
-- the one definition for api_search_text, api_search_semantic and api_search_hybrid; each line
-- adds "AND", so it follows a WHERE condition).
  AND (%(dossier)s::text IS NULL OR coalesce(m.dossier, m.publication_dossier) = %(dossier)s::text)
  AND (%(outcome)s::text IS NULL OR lower(m.outcome) = lower(%(outcome)s::text))
  AND (%(since)s::date IS NULL OR m.started_on >= %(since)s::date)
  AND (%(until)s::date IS NULL OR m.started_on < %(until)s::date)
  AND (%(parties)s::text[] IS NULL OR EXISTS (
        SELECT 1 FROM motion_votes v WHERE v.motion_id = m.id AND v.party = ANY(%(parties)s::text[])
           AND (%(vote)s::text IS NULL OR v.vote = %(vote)s::text)))
