-- The open export's summaries: the published summary of each live motion's current text, with provenance.
SELECT s.motion_id::text AS motion_id, s.status, s.summary_nl, s.summary_en, s.requests, s.topics, s.backend,
       s.model, s.prompt_version, s.published_at
FROM motion_summary_current s JOIN motions m ON m.id = s.motion_id AND NOT m.deleted
ORDER BY s.motion_id
