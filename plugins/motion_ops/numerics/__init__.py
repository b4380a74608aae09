"""Numerics of related motions: exact top-k by cosine, vote fusion, exclusions, incremental repair (numpy only)."""
