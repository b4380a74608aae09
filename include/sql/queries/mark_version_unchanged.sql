-- A version whose lists equal the current one's: kept (its QA can be re-run), never shown.
UPDATE similarity_versions SET status = 'unchanged' WHERE version = %(version)s AND status IN ('computed', 'unchanged')
