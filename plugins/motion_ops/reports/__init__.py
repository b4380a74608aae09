"""Reports a person reads: the QA report of a similarity version (table, JSON ledger, HTML)."""
