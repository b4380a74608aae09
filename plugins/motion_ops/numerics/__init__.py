"""Numerics: exact top-k, the relatedness score and its components, exclusions, incremental repair (numpy only), and the finite-number check."""
