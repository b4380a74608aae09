"""Pairs that must never become neighbours, masked before selection (so the lists stay exact).

Pairs of motions with the same content hash (recorded as duplicates, not related), and pairs
scoring >= ``TRIVIAL_SCORE`` whose normalised titles are identical and shorter than
``SHORT_TITLE`` characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

TRIVIAL_SCORE = 0.999999
SHORT_TITLE = 12


def normalise_title(title: str | None) -> str:
    return re.sub(r"\W+", " ", (title or "").lower()).strip()


@dataclass
class Exclusions:
    """Pairs that must not become neighbours, as groups of row indices."""

    duplicate_groups: list[np.ndarray] = field(default_factory=list)   # same content hash
    short_title_groups: list[np.ndarray] = field(default_factory=list)  # same short normalised title
    removed: dict[str, int] = field(default_factory=lambda: {"duplicate_text": 0, "trivial_short_title": 0})
    short_titles_confirmed: bool = False  # the short-title pairs were tested on their texts already: mask them
    _pair_cache: tuple | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, content_hashes: list[str] | None, titles: list[str | None] | None) -> "Exclusions":
        ex = cls()
        for values, target, keep in ((content_hashes, ex.duplicate_groups, lambda s: bool(s)),
                                     ([normalise_title(t) for t in titles] if titles else None,
                                      ex.short_title_groups, lambda s: 0 < len(s) < SHORT_TITLE)):
            if not values:
                continue
            groups: dict[str, list[int]] = {}
            for i, v in enumerate(values):
                if keep(v):
                    groups.setdefault(v, []).append(i)
            target.extend(np.array(g) for g in groups.values() if len(g) > 1)
        return ex

    def duplicate_pairs(self) -> list[tuple[int, int]]:
        return [(int(a), int(b)) for g in self.duplicate_groups for a in g for b in g if a != b]

    def _pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every excluded ordered pair ``(a, b, kind)`` (kind 0 = duplicate text, 1 = short title), sorted by ``a``."""
        if self._pair_cache is None:
            parts = [(np.repeat(g, len(g)), np.tile(g, len(g)), kind)
                     for kind, groups in ((0, self.duplicate_groups), (1, self.short_title_groups)) for g in groups]
            a = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
            b = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
            kind = np.concatenate([np.full(len(p[0]), p[2], np.int8) for p in parts]) if parts else np.zeros(0, np.int8)
            keep = a != b
            order = np.argsort(a[keep], kind="stable")
            self._pair_cache = (a[keep][order], b[keep][order], kind[keep][order])
        return self._pair_cache

    def apply_tile(self, tile: np.ndarray, r0: int, c0: int, both_outside: tuple[int, int]) -> None:
        """Mask excluded pairs in ``tile`` = scores[r0:r0+h, c0:c0+w]. An entry stands for both
        directions of its pair (counted twice) unless both ends lie in ``both_outside = (lo, hi)``,
        where the mirrored entry is in the computation too (counted once)."""
        a, b, kind = self._pairs()
        if not len(a):
            return
        h, w = tile.shape
        lo, hi = np.searchsorted(a, [r0, r0 + h])
        a, b, kind = a[lo:hi], b[lo:hi], kind[lo:hi]
        inside = (b >= c0) & (b < c0 + w)
        a, b, kind = a[inside], b[inside], kind[inside]
        if not len(a):
            return
        hit = (kind == 0) | self.short_titles_confirmed | (tile[a - r0, b - c0] >= TRIVIAL_SCORE)
        a, b, kind = a[hit], b[hit], kind[hit]
        tile[a - r0, b - c0] = -np.inf
        s_lo, s_hi = both_outside
        weight = np.where((a >= s_lo) & (a < s_hi) & (b >= s_lo) & (b < s_hi), 1, 2)
        self.removed["duplicate_text"] += int(weight[kind == 0].sum())
        self.removed["trivial_short_title"] += int(weight[kind == 1].sum())
