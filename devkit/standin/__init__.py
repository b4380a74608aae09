"""The project's local stand-in for the Tweede Kamer open-data API (demo, tests, benchmarks)."""
