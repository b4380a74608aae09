"""What makes two motions related: score components and the fused score they are ranked by.

Per pair ``(a, b)`` of motions:

- ``text``: cosine of their text vectors;
- votes: agreement beyond chance, ``vote_correlation = sum_p z_a,p z_b,p / C`` with each vote
  centred and scaled over the parties that cast it, ``z = (x - mu) / sqrt(1 - mu^2)`` (``x`` = +1
  Voor, -1 Tegen, ``mu`` the vote's mean): the correlation of the two votes when every party
  voted on both, between -1 and 1. A unanimous vote carries no information (z = 0: it adds
  exactly nothing), a party missing from either vote adds nothing (it is not disagreement), and a
  motion without votes is ranked by the other terms with no penalty. Also counted, for the
  reader: over the parties that voted on both (``common``) how many voted the same (``same``);
- ``same_dossier``, ``same_debate`` (the vote's agendapunt), ``shared_submitters`` (count).

The fused score, which the lists are ranked by exactly, is the weighted sum

    w_text * text + w_votes * vote_correlation + w_submitters * shared / sqrt(|S_a| |S_b|)
    + w_dossier * same_dossier + w_debate * same_debate

where ``C`` is the number of party identities in the version. Two votes are *notable*
(:func:`votes_notable`, "voted alike beyond chance") when their correlation is at least
:data:`NOTABLE_VOTE_CORRELATION` over at least ``min_common_parties`` common parties. The first three terms are one inner product of :func:`fused_vectors`; the last
two are added per pair by :class:`PairTerms` inside the top-k tiles (only same-dossier and
same-debate pairs are touched). Earlier versions of a motion (``hidden``) are nobody's neighbour.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from motion_ops.numerics.exclusions import TRIVIAL_SCORE, Exclusions
from motion_ops.numerics.weights import Weights  # noqa: F401 - the score's weights, named here too
from motion_ops.numerics.written import decimal


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


# How the vote term is computed; in a version's params, so no incremental run mixes two of them.
VOTE_TERM = "centred-v1"
# "Voted alike beyond chance" from this correlation on. Measured on the 28 real motions with votes
# (bench/quality.py, 378 pairs): 8 % of random pairs reach 0.7 (14 % reach 0.5), where 20 % have
# at least 80 % of the common parties voting the same.
NOTABLE_VOTE_CORRELATION = 0.7


@dataclass
class Features:
    """Everything the score uses, row-aligned with the corpus (rows ordered by motion id)."""

    text: np.ndarray                        # n x d, made unit-length here (once)
    votes: np.ndarray                       # n x P int8: +1 Voor, -1 Tegen, 0 missing
    dossier: np.ndarray                     # n int32 codes, -1 unknown
    debate: np.ndarray                      # n int32 codes, -1 unknown
    submitters: list[np.ndarray]            # per row the submitter codes (sorted, unique)
    hidden: np.ndarray = field(default=None)  # n bool: earlier versions (nobody's neighbour)

    def __post_init__(self) -> None:
        self.text = l2_normalise(np.asarray(self.text, dtype=np.float32))
        if self.hidden is None:
            self.hidden = np.zeros(len(self.dossier), dtype=bool)


def vote_scale(votes: np.ndarray) -> float:
    """``C``: the number of party identities in the version (its vote columns; at least 1). It is
    in the version's params (the party list), so an incremental run never mixes two scales."""
    return float(max(1, votes.shape[1]))


def centred_votes(votes: np.ndarray) -> np.ndarray:
    """Each motion's votes centred and scaled over the parties that voted on it,
    ``z = (x - mu) / sqrt(1 - mu^2)`` (float32); 0 where a party did not vote, and a whole row of
    0 when the vote was unanimous (or cast by fewer than two parties): consensus tells nothing."""
    x = np.asarray(votes, dtype=np.float64)
    voted = x != 0
    n = voted.sum(axis=1, keepdims=True)
    mu = np.divide(x.sum(axis=1, keepdims=True), n, out=np.zeros_like(n, dtype=np.float64), where=n > 0)
    sd = np.sqrt(np.maximum(1.0 - mu * mu, 0.0))
    informative = (n >= 2) & (sd > 1e-9)
    z = np.where(voted & informative, (x - mu) / np.where(informative, sd, 1.0), 0.0)
    return z.astype(np.float32)


def fused_vectors(f: Features, w: Weights) -> np.ndarray:
    """Rows whose inner products are the text, vote and submitter terms of the fused score."""
    parts = [np.sqrt(w.text) * f.text]
    if w.votes > 0 and f.votes.shape[1]:
        parts.append((np.sqrt(w.votes / vote_scale(f.votes)) * centred_votes(f.votes)).astype(np.float32))
    if w.submitters > 0:
        sub = multi_hot(f.submitters).astype(np.float32)
        if sub.shape[1]:
            counts = sub.sum(axis=1, keepdims=True)
            parts.append(np.sqrt(w.submitters) * sub / np.sqrt(np.maximum(counts, 1)))
    return np.ascontiguousarray(np.hstack(parts), dtype=np.float32)


def _group_pairs(group: np.ndarray) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for i, a in enumerate(group) for b in group[i + 1:]]


def _same_code_pairs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair (a, b), a != b, with the same code >= 0."""
    known = np.flatnonzero(codes >= 0)
    order = known[np.argsort(codes[known], kind="stable")]
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]) if len(order) else np.zeros(0, int)
    ends = np.r_[starts[1:], len(order)] if len(order) else np.zeros(0, int)
    a_parts, b_parts = [], []
    for s, e in zip(starts, ends):
        if e - s > 1:
            g = order[s:e]
            a_parts.append(np.repeat(g, len(g)))
            b_parts.append(np.tile(g, len(g)))
    if not a_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.concatenate(a_parts), np.concatenate(b_parts)
    keep = a != b
    return a[keep], b[keep]


class PairTerms:
    """Exclusions, per-pair bonuses (same dossier, same debate) and hidden rows, applied to every
    score tile before selection; stands in for :class:`Exclusions` in the top-k functions."""

    def __init__(self, exclusions: Exclusions, f: Features, w: Weights):
        # Pairs with the same short title are excluded when their *texts* are (nearly) identical:
        # the fused score is no cosine, so the test is made here, on the text vectors, once.
        text = f.text
        trivial = [np.array(pair) for g in exclusions.short_title_groups for pair in _group_pairs(g)
                   if float(text[pair[0]] @ text[pair[1]]) >= TRIVIAL_SCORE]
        self.exclusions = Exclusions(duplicate_groups=exclusions.duplicate_groups, short_title_groups=trivial,
                                     removed=exclusions.removed, short_titles_confirmed=True)
        self.duplicate_groups, self.short_title_groups = exclusions.duplicate_groups, exclusions.short_title_groups
        self.removed = exclusions.removed
        a_parts, b_parts, v_parts = [], [], []
        for codes, weight in ((f.dossier, w.dossier), (f.debate, w.debate)):
            if weight > 0:
                a, b = _same_code_pairs(np.asarray(codes))
                a_parts.append(a), b_parts.append(b), v_parts.append(np.full(len(a), weight, np.float32))
        a = np.concatenate(a_parts) if a_parts else np.zeros(0, np.int64)
        b = np.concatenate(b_parts) if b_parts else np.zeros(0, np.int64)
        v = np.concatenate(v_parts) if v_parts else np.zeros(0, np.float32)
        order = np.lexsort((b, a))
        self.a, self.b, self.v = a[order].astype(np.int64), b[order].astype(np.int64), v[order]
        self.hidden = np.flatnonzero(np.asarray(f.hidden))

    def duplicate_pairs(self) -> list[tuple[int, int]]:
        return self.exclusions.duplicate_pairs()

    def apply_tile(self, tile: np.ndarray, r0: int, c0: int, both_outside: tuple[int, int]) -> None:
        self.exclusions.apply_tile(tile, r0, c0, both_outside)  # on the raw scores (trivial-title test)
        h, w = tile.shape
        if len(self.a):
            lo, hi = np.searchsorted(self.a, [r0, r0 + h])
            a, b, v = self.a[lo:hi], self.b[lo:hi], self.v[lo:hi]
            inside = (b >= c0) & (b < c0 + w)
            np.add.at(tile, (a[inside] - r0, b[inside] - c0), v[inside])  # a pair may be both: add.at sums
        if len(self.hidden):
            rows = self.hidden[(self.hidden >= r0) & (self.hidden < r0 + h)]
            cols = self.hidden[(self.hidden >= c0) & (self.hidden < c0 + w)]
            tile[rows - r0, :] = -np.inf
            tile[:, cols - c0] = -np.inf


def multi_hot(sets: list[np.ndarray]) -> np.ndarray:
    """Rows of 0/1 over the codes that occur (``n x codes``, uint8)."""
    width = max((int(s.max()) + 1 for s in sets if len(s)), default=0)
    out = np.zeros((len(sets), width), dtype=np.uint8)
    for i, s in enumerate(sets):
        out[i, s] = 1
    return out


def components(f: Features, idx: np.ndarray, *, chunk: int = 2048) -> dict[str, np.ndarray]:
    """Per neighbour ``idx[i, r]`` of row ``i`` (-1: none) its score components: ``text``
    (float32), ``same`` and ``common`` (parties that voted the same / on both), ``vote_correlation``
    (float32, agreement beyond chance), ``shared_submitters`` (int16), ``same_dossier``,
    ``same_debate`` (bool). Rows in chunks (memory ~ chunk x k x d)."""
    n, k = idx.shape
    ok = idx >= 0
    j = np.where(ok, idx, 0)
    t = f.text
    z, scale = centred_votes(f.votes), np.float32(vote_scale(f.votes))
    subs = multi_hot(f.submitters)
    out = {"text": np.zeros((n, k), np.float32), "same": np.zeros((n, k), np.int16),
           "common": np.zeros((n, k), np.int16), "vote_correlation": np.zeros((n, k), np.float32),
           "shared_submitters": np.zeros((n, k), np.int16)}
    for r0 in range(0, n, chunk):
        r = slice(r0, min(n, r0 + chunk))
        jr = j[r]
        out["text"][r] = np.einsum("ikd,id->ik", t[jr], t[r])
        va, vb = f.votes[r][:, None, :], f.votes[jr]
        both = (va != 0) & (vb != 0)
        out["common"][r] = both.sum(axis=2)
        out["same"][r] = (both & (va == vb)).sum(axis=2)
        out["vote_correlation"][r] = np.einsum("ikp,ip->ik", z[jr], z[r]) / scale
        if subs.shape[1]:
            out["shared_submitters"][r] = (subs[r][:, None, :] & subs[jr]).sum(axis=2)
    dossier, debate = np.asarray(f.dossier), np.asarray(f.debate)
    out["same_dossier"] = (dossier[:, None] == dossier[j]) & (dossier[:, None] >= 0)
    out["same_debate"] = (debate[:, None] == debate[j]) & (debate[:, None] >= 0)
    for arr in out.values():
        arr[~ok] = 0
    return out


def agreement(same: int | None, common: int | None, min_common: int) -> float | None:
    """The share of the common parties that voted the same; None below ``min_common`` parties."""
    return same / common if same is not None and common and common >= max(min_common, 1) else None


def votes_notable(correlation: float | None, common: int | None, min_common: int) -> bool:
    """Whether two votes agree beyond chance enough to tell a reader: a correlation of at least
    :data:`NOTABLE_VOTE_CORRELATION` over at least ``min_common`` parties that voted on both
    (never with a unanimous vote, whose correlation is 0; never in versions before the term)."""
    return (correlation is not None and common is not None and common >= max(min_common, 1)
            and correlation >= NOTABLE_VOTE_CORRELATION - 1e-6)  # stored as real: 0.7 reads 0.69999999


# The reason line's words per language: the same components, in the same order, either way.
PHRASES: dict[str, dict[str, str]] = {
    "en": {"dossier": "same dossier", "debate": "same debate",
           "votes": "voted alike beyond chance ({same} of {common} parties the same)",
           "submitter": "{n} shared submitter", "submitters": "{n} shared submitters", "text": "text {score}",
           "decimal": ".", "empty": ""},
    "nl": {"dossier": "zelfde dossier", "debate": "zelfde debat",
           "votes": "stemden opvallend vaak hetzelfde ({same} van {common} partijen)",
           "submitter": "{n} gedeelde indiener", "submitters": "{n} gedeelde indieners", "text": "tekst {score}",
           "decimal": ",", "empty": "tekst"},
}


def reason(c: dict[str, Any], min_common: int, lang: str = "en") -> str:
    """One line a reader understands: "same dossier, voted alike beyond chance (13 of 15 parties
    the same), text 0.71" (``lang="nl"``: "zelfde dossier, stemden opvallend vaak hetzelfde (13
    van 15 partijen), tekst 0,71"); the votes only when :func:`votes_notable`."""
    words = PHRASES[lang]
    parts = [words[k] for k in ("dossier", "debate") if c.get(f"same_{k}")]
    if votes_notable(c.get("vote_correlation"), c.get("vote_common"), min_common):
        parts.append(words["votes"].format(same=c["vote_same"], common=c["vote_common"]))
    if c.get("shared_submitters"):
        n = c["shared_submitters"]
        parts.append(words["submitter" if n == 1 else "submitters"].format(n=n))
    if c.get("text_score") is not None:
        parts.append(words["text"].format(score=decimal(c["text_score"], 2, words["decimal"])))
    return ", ".join(parts) or words["empty"]
