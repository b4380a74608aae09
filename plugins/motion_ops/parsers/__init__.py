"""Parsers of what the API serves: SyncFeed pages, publication XML and PDFs, all through hardened XML parsing."""
