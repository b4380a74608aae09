"""A corpus's related motions, from its vectors and metadata to ranked lists with components.

Pure (no database): :mod:`motion_ops.similarity` loads a :class:`Corpus` from the store and
writes what :func:`relate` returns; ``bench/quality.py`` builds one from the shipped real motions.
The score is :mod:`motion_ops.numerics.relatedness`; versions of one motion are
:mod:`motion_ops.chains`; party identities :mod:`motion_ops.parties`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from motion_ops.chains import Chains, Version, link
from motion_ops.numerics.exclusions import Exclusions
from motion_ops.numerics.relatedness import Features, PairTerms, Weights, fused_vectors
from motion_ops.numerics.topk import top_k_neighbours


@dataclass
class Corpus:
    """Live motions with a vector for one model, ordered by id, with what the score uses."""

    ids: list[str]
    vectors: np.ndarray
    content_hashes: list[str]
    titles: list[str | None]
    versions: list[Version] = field(default_factory=list)          # dates, dossiers, replacement refs
    debates: list[str | None] = field(default_factory=list)        # the vote's agendapunt id
    submitters: list[list[str]] = field(default_factory=list)
    votes: dict[str, dict[str, int]] = field(default_factory=dict)  # id -> identity -> +1 | -1

    def __post_init__(self) -> None:
        n = len(self.ids)
        self.versions = self.versions or [Version(i) for i in self.ids]
        self.debates = self.debates or [None] * n
        self.submitters = self.submitters or [[] for _ in range(n)]


def codes(values: list[Any]) -> np.ndarray:
    """Integer codes of ``values`` (equal values, equal codes; None is -1)."""
    table: dict[Any, int] = {}
    return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values], dtype=np.int32)


def features(corpus: Corpus) -> tuple[Features, list[str]]:
    """The score's features (no motion hidden yet) and the party identities indexing the vote columns."""
    parties = sorted({p for v in corpus.votes.values() for p in v})
    pidx = {p: j for j, p in enumerate(parties)}
    votes = np.zeros((len(corpus.ids), len(parties)), dtype=np.int8)
    for i, mid in enumerate(corpus.ids):
        for party, sign in corpus.votes.get(mid, {}).items():
            votes[i, pidx[party]] = sign
    people: dict[str, int] = {}
    subs = [np.unique(np.array([people.setdefault(s, len(people)) for s in ss], dtype=np.int64))
            for ss in corpus.submitters]
    f = Features(text=corpus.vectors, votes=votes, dossier=codes([v.dossier for v in corpus.versions]),
                 debate=codes(corpus.debates), submitters=subs)
    return f, parties


@dataclass
class Related:
    features: Features
    parties: list[str]
    chains: Chains
    terms: PairTerms
    x: np.ndarray


def prepare(corpus: Corpus, weights: Weights) -> Related:
    """Chains, features, fused vectors and pair terms of a corpus (what a computation ranks)."""
    f, parties = features(corpus)  # normalises the text vectors, once
    chains = link(corpus.versions, f.text if len(corpus.ids) else None)
    f.hidden = np.array([mid in chains.hidden for mid in corpus.ids], dtype=bool)
    terms = PairTerms(Exclusions.build(corpus.content_hashes, corpus.titles), f, weights)
    x = fused_vectors(f, weights) if len(corpus.ids) else np.zeros((0, 0), np.float32)
    return Related(f, parties, chains, terms, x)


def relate(corpus: Corpus, weights: Weights, width: int, *, block: int = 2048) -> tuple[Related, np.ndarray, np.ndarray]:
    """Every motion's ``width`` best neighbours by the fused score: ``(prepared, indices, scores)``."""
    r = prepare(corpus, weights)
    if not len(corpus.ids):
        return r, np.zeros((0, width), np.int32), np.zeros((0, width), np.float32)
    idx, val = top_k_neighbours(r.x, width, block=block, exclusions=r.terms)
    return r, idx, val
