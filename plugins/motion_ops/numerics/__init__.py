"""Numerics of related motions: exact top-k, the relatedness score and its components, exclusions, incremental repair (numpy only)."""
