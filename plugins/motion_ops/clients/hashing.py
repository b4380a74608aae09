"""The fast *lexical* embedding (provider ``hashing``): feature hashing, no model and no network.

Word unigrams and bigrams, Dutch stop words and motion boilerplate removed, sublinear term
frequency, signed hashing into ``dimensions`` buckets (2048: at 384 the buckets collide heavily on
Dutch political text; ``bench/quality.py`` measures both). It relates motions that share
vocabulary; it knows nothing of meaning or synonyms (use a real model for semantic similarity).
What it is given is the motion's substance (:mod:`motion_ops.parsers.substance`), not its frame.
"""
from __future__ import annotations

import hashlib
import math
import re
from typing import Sequence

HASHING_DIMENSIONS = 2048
Vector = list[float]

_TOKEN = re.compile(r"[0-9a-zà-ÿ]+(?:-[0-9a-zà-ÿ]+)*")
STOP_WORDS = frozenset("""
de het een en of van in op te dat die dit is zijn wordt worden met voor aan bij door om over naar als
ook niet geen nog maar dan er hun haar zij wij we u uit tot tegen na al meer veel deze onder tussen
kamer gehoord beraadslaging constaterende overwegende verzoekt regering kabinet roept draagt gaat orde
dag mening lid leden c s motie op hoe kan moet mag dit jaar beter leiden minder staan sterk samenhangen
""".split())


LEXICAL_PREFIX = "hashing-lexical-"


def is_lexical(model: str | None) -> bool:
    """Whether a stored model key (``hashing-lexical-v1-2048+substance-v1``) is this lexical method."""
    return bool(model) and str(model).startswith(LEXICAL_PREFIX)


class HashingProvider:
    """Lexical feature hashing (see the module docstring for what it is and is not)."""

    def __init__(self, dimensions: int = HASHING_DIMENSIONS):
        self.dimensions = dimensions
        self.model = f"{LEXICAL_PREFIX}v1-{dimensions}"
        self.endpoint = "local:hashing"

    def _vector(self, text: str) -> Vector:
        words = [w for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]
        feats: dict[str, int] = {}
        for w in words:
            feats[w] = feats.get(w, 0) + 1
        for a, b in zip(words, words[1:]):
            key = f"{a} {b}"
            feats[key] = feats.get(key, 0) + 1
        vec = [0.0] * self.dimensions
        for feat, tf in feats.items():
            h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
            weight = (1.0 + math.log(tf)) * (0.5 if " " in feat else 1.0)
            vec[h % self.dimensions] += weight if (h >> 63) & 1 else -weight
        norm = math.sqrt(sum(v * v for v in vec))
        if norm == 0.0:  # a text without content words: a fixed, valid direction
            vec[0], norm = 1.0, 1.0
        return [v / norm for v in vec]

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        return [self._vector(t) for t in texts]

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        """The same as :meth:`embed`: a lexical method has no query/document convention."""
        return self.embed(texts)
