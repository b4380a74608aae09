"""How alike two parties (or a reader and a party) voted over a selection of motions: agreement
beyond chance, with the relatedness's one definition of a vote beyond chance
(:func:`motion_ops.numerics.relatedness.centred_votes`).

Each motion's votes are centred and scaled over the parties that voted on it,
``z = (x - mu) / sqrt(1 - mu^2)``; the agreement of columns ``p`` and ``q`` is the correlation of
their centred votes over the motions both voted on,

    sum_m z_m,p z_m,q / sqrt(sum_m z_m,p^2 * sum_m z_m,q^2)

between -1 and 1. A unanimous motion has z = 0 for everyone, so it adds exactly nothing (voting
with everybody tells nothing about two parties); agreeing with a lone dissenter counts far more
than agreeing with a large majority. ``rests_on`` counts the informative (not unanimous) motions
both voted on; with none the agreement is None. ``same`` / ``common`` are the plain counts (the
motions both voted on, and how many of them alike), for the reader.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motion_ops.numerics.relatedness import centred_votes


@dataclass(frozen=True)
class Agreement:
    """Square matrices over the columns (parties) of a votes matrix."""

    correlation: np.ndarray  # float64, NaN where rests_on is 0
    rests_on: np.ndarray     # int: informative motions both voted on
    same: np.ndarray         # int: motions both voted on, alike
    common: np.ndarray       # int: motions both voted on

    def value(self, p: int, q: int) -> float | None:
        """The agreement of columns ``p`` and ``q`` rounded to 4 digits (None: nothing to rest on)."""
        c = self.correlation[p, q]
        return None if not np.isfinite(c) else round(float(c), 4)


def agreement(votes: np.ndarray) -> Agreement:
    """Agreement beyond chance between every two columns of ``votes`` (motions x parties:
    +1 Voor, -1 Tegen, 0 did not vote)."""
    x = np.asarray(votes, dtype=np.int8)
    if x.ndim != 2:
        raise ValueError(f"votes must be a motions x parties matrix, not of shape {x.shape}")
    z = centred_votes(x).astype(np.float64)
    voted = (x != 0).astype(np.float64)
    informative = voted * (np.abs(z).sum(axis=1, keepdims=True) > 0)
    inner = z.T @ z
    # per pair (p, q): sum of z_p^2 over the motions q voted on too
    spread = (z * z).T @ voted
    denominator = np.sqrt(spread * spread.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = np.where(denominator > 1e-12, inner / np.where(denominator > 1e-12, denominator, 1.0), np.nan)
    correlation = np.clip(correlation, -1.0, 1.0)
    rests_on = np.rint(informative.T @ informative).astype(np.int64)
    correlation[rests_on == 0] = np.nan
    yes, no = (x > 0).astype(np.int64), (x < 0).astype(np.int64)
    same = yes.T @ yes + no.T @ no
    common = np.rint(voted.T @ voted).astype(np.int64)
    return Agreement(correlation=correlation, rests_on=rests_on, same=same, common=common)


def with_reader(votes: np.ndarray, answers: np.ndarray) -> Agreement:
    """The agreement of a reader with every party: the reader's answers (+1 voor, -1 tegen, 0
    skipped; one per motion row) as one more column, centred with the parties' votes as one more
    voter; the reader is the last column."""
    x = np.asarray(votes, dtype=np.int8)
    a = np.asarray(answers, dtype=np.int8).reshape(-1, 1)
    if a.shape[0] != x.shape[0]:
        raise ValueError(f"{a.shape[0]} answers for {x.shape[0]} motions")
    return agreement(np.hstack([x, a]))
