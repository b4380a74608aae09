"""The pilot of a new embedding model before it embeds the whole corpus: a sample of the planned
motions through the real provider, one request each, and a report a person approves or rejects
(the same report and decisions as the summaries' pilot, :mod:`motion_ops.pilot`).

A model is the connection's provider kind with its stored model key (model and input recipe);
once approved, later runs skip the pilot until it changes. The embedded defaults (the hashing
embedder, a local sentence-transformers model) need none. Pilot vectors are not stored: a
rejected model leaves nothing behind. Tokens are estimated from the characters sent
(:data:`~motion_ops.numerics.tokens.CHARS_PER_TOKEN`); the backlog's estimate is its own characters,
not the sample's average.
"""
from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

import numpy as np

from motion_ops.clients.embedder import Embedder
from motion_ops.clients.providers import ProviderConfig
from motion_ops.embeddings import claim_stage, estimated_tokens
from motion_ops.parsers.substance import substance
from motion_ops.store import claims
# the approval of a model, as the pilot and its callers name it (embedding_pilot.chain, .needed)
from motion_ops.store.approvals import EMBEDDINGS_KEY, embedding_chain as chain, embedding_needed as needed  # noqa: F401
from motion_ops.store.db import Store


def run(store: Store, embedder: Embedder, config: ProviderConfig, ids: list[str], *,
        backlog_ids: list[str], left_out: int, run_id: str | None = None,
        claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Embed each sampled motion (nothing stored) and write down what came back; the estimate for
    the backlog (``backlog_ids`` planned now, ``left_out`` more left for later runs). The sample is
    claimed as ``embed_missing`` claims it: a motion another run is sending to this model at the
    same time is left out (``claimed_elsewhere``), not paid for twice.

    :raises ProviderUnavailable: the provider cannot be used (the task fails and is retried).
    """
    rows = {r["id"]: r for r in store.fetch("select_pilot_inputs", {"ids": ids})} if ids else {}
    tokens = estimated_tokens(store, ids, config.max_input_chars)
    items, vectors = [], {}
    with claims.claimed(store, claim_stage(embedder.model), ids, holder=claims.owner(run_id), ttl=claim_ttl) as mine:
        for mid in mine:
            r = rows[mid]
            text = substance(r["body_text"], r["title"], r["dossier_title"])
            started, calls = time.monotonic(), embedder.calls
            result = embedder.embed([text])[0]
            latency = round((time.monotonic() - started) * 1000)
            t = tokens.get(mid, 0)
            item = {"motion": mid, "nummer": r["nummer"], "title": r["title"], "prompt": text[:1500], "passed": False,
                    "status": "embedded", "backend": config.kind, "model": embedder.model, "attempts": embedder.calls - calls,
                    "input_tokens": t, "output_tokens": 0, "cost": round(t / 1000 * config.price_per_1k, 6),
                    "latency_ms": latency, "error_class": None, "error": None, "output": None}
            if result.vector is None:
                item.update(status="failed", error_class="invalid_output", error=result.error)
            else:
                v = np.asarray(result.vector, dtype=np.float64)
                vectors[mid] = v / np.linalg.norm(v)
                item.update(passed=True, output={"dimensions": int(v.shape[0]), "norm": round(float(np.linalg.norm(v)), 4)})
            items.append(item)
    _nearest(items, vectors, rows)
    n = len(items) or 1
    failures: dict[str, int] = {}
    for i in items:
        if not i["passed"]:
            failures[i["error_class"]] = failures.get(i["error_class"], 0) + 1
    planned = estimated_tokens(store, backlog_ids, config.max_input_chars)
    per_motion = sum(planned.values()) / len(planned) if planned else sum(tokens.values()) / n
    backlog_tokens = round(sum(planned.values()) + per_motion * left_out)
    latencies = [i["latency_ms"] for i in items]
    return {"chain": chain(config), "prompt_key": EMBEDDINGS_KEY, "sampled": len(items),
            "pass_rate": round(sum(i["passed"] for i in items) / n, 3),
            "latency_ms": {"p50": statistics.median(latencies) if latencies else 0, "max": max(latencies, default=0)},
            "per_motion": {"input_tokens": round(per_motion, 1), "output_tokens": 0,
                           "cost": round(per_motion / 1000 * config.price_per_1k, 6)},
            "failures_by_class": failures, "backlog": len(backlog_ids) + left_out,
            "estimate": {"motions": len(backlog_ids) + left_out, "input_tokens": backlog_tokens, "output_tokens": 0,
                         "cost": round(backlog_tokens / 1000 * config.price_per_1k, 4)},
            "pilot_cost": round(sum(i["cost"] for i in items), 6), "claimed_elsewhere": len(ids) - len(items),
            "items": items}


def _nearest(items: list[dict[str, Any]], vectors: dict[str, np.ndarray], rows: dict[str, Any]) -> None:
    """Name each embedded motion's most similar other motion in the sample, for a person to judge."""
    ids = list(vectors)
    if len(ids) < 2:
        return
    m = np.stack([vectors[i] for i in ids])
    sims = m @ m.T
    np.fill_diagonal(sims, -np.inf)
    for item in items:
        if item["motion"] in vectors:
            j = int(np.argmax(sims[ids.index(item["motion"])]))
            other = rows[ids[j]]
            item["output"]["closest_in_sample"] = {"motion": other["nummer"] or ids[j], "title": other["title"],
                                                   "cosine": round(float(sims[ids.index(item["motion"]), j]), 4)}

