"""Unit-length vectors for cosine similarity: text vectors, optionally fused with party votes.

Per motion a text vector ``t`` (unit length) and a party-vote vector ``v`` over a stable party
index (Voor +1, Tegen -1, otherwise 0; optionally times seats). The fused vector is the
L2-normalised concatenation ``[sqrt(1-w) * t, sqrt(w) * v/|v|]`` with ``w = vote_weight``. For
two motions that both have votes the score is ``(1-w) * cos(t_a, t_b) + w * cos(v_a, v_b)``: ``w``
is the share of the score that comes from voting behaviour (0 = text only). A motion without
votes has a zero vote part and is re-normalised to its text, so its score against a voted motion
is ``sqrt(1-w) * cos(t_a, t_b)`` and against another unvoted motion plain ``cos(t_a, t_b)``.
"""
from __future__ import annotations

import numpy as np


def l2_normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


def fuse(text: np.ndarray, votes: np.ndarray | None, vote_weight: float) -> np.ndarray:
    """The fused, unit-length vectors (see the module docstring)."""
    t = l2_normalise(np.asarray(text, dtype=np.float32))
    if votes is None or vote_weight <= 0 or votes.shape[1] == 0:
        return t
    if not 0 <= vote_weight < 1:
        raise ValueError(f"vote_weight must be in [0, 1), got {vote_weight}")
    v = l2_normalise(np.asarray(votes, dtype=np.float32))
    fused = np.hstack([np.sqrt(1 - vote_weight) * t, np.sqrt(vote_weight) * v]).astype(np.float32)
    return l2_normalise(fused)
