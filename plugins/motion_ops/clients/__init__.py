"""Clients of what motion-ops talks to: the Tweede Kamer API, embedding providers; their retry policy and connection reading."""
