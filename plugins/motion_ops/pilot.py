"""The pilot before paid work: a stratified sample of the planned motions through the real backend,
a report (the text beside the output, pass rate, latency, tokens, failures by class, the cost
extrapolated to the whole backlog), and the decisions people take on it. One pilot, two adapters:
:class:`SummaryChain` (an LLM chain with its prompt key) and :class:`EmbeddingModel` (a paid
embedding model with its input recipe).

Once approved, later runs skip the pilot until the chain, the prompt or the model changes or the
approval is revoked. What costs nothing needs none (the embedded extractive summarizer, the
embedded embedding defaults). Pilot outputs are not stored: a rejected chain or model publishes
nothing and leaves nothing behind. The sample is claimed as the pipeline claims its motions
(:mod:`motion_ops.store.claims`): a motion another run is sending at the same time is left out
(``claimed_elsewhere``), not paid for twice.
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from motion_ops.clients.embedder import Embedder
from motion_ops.clients.providers import ProviderConfig
from motion_ops.embeddings import claim_stage, estimated_tokens
from motion_ops.llm.backends import chain_key
from motion_ops.llm.cascade import Cascade
from motion_ops.llm.faithfulness import problems
from motion_ops.llm.prompt import user_prompt
from motion_ops.parsers.substance import substance
from motion_ops.reports.render import render
from motion_ops.store import claims
from motion_ops.store.approvals import (  # noqa: F401
    APPROVED,
    EMBEDDINGS_KEY,
    PENDING,
    REJECTED,
    REVOKED,
    approval_needed,  # pilot.record etc.
    decision,
    decisions,
    embedding_chain,
    record,
    refusal,
)
from motion_ops.store.db import Store
from motion_ops.summaries.plan import CLAIM_STAGE, PROMPT_KEY, motion_text


class Piloted(Protocol):
    """What a pilot needs to know of what it pilots (an adapter)."""

    chain: str  #: what an approval is for
    prompt_key: str  #: with which prompt (an embedding model: :data:`EMBEDDINGS_KEY`)
    name: str  #: how the reasons name it
    claim_stage: str  #: what its pipeline claims a motion for

    def free(self) -> str | None:
        """Why it needs no pilot (it costs nothing), or None."""

    def try_each(self, store: Store, ids: list[str]) -> list[dict[str, Any]]:
        """Each of the claimed ``ids`` through the backend (nothing stored): one report item each."""

    def estimate(self, store: Store, items: list[dict[str, Any]], backlog_ids: list[str],
                 left_out: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """(per motion, the whole backlog): input and output tokens, cost."""


def needed(store: Store, subject: Piloted) -> tuple[bool, str]:
    """Whether ``subject`` must be piloted first, and why (or why not)."""
    return approval_needed(store, subject.chain, subject.prompt_key, name=subject.name, free=subject.free())


def require_chain(store: Store, cascade: Cascade) -> None:
    """No model call without a person's approval of the chain (with this prompt).

    :raises NotApproved: the chain needs one and nobody approved it.
    """
    required, why = needed(store, SummaryChain(cascade, PROMPT_KEY))
    if required:
        raise refusal(why, nothing="summarized", step="approve_pilot", chain=chain_key(cascade.backends))


def sample(store: Store, ids: list[str], n: int) -> list[str]:
    """``n`` of ``ids``, spread evenly over their text lengths (short and long motions alike)."""
    rows = store.fetch("select_pilot_texts", {"ids": ids}) if ids else []
    if len(rows) <= n:
        return [r["id"] for r in rows]
    step = len(rows) / n
    return [rows[int(i * step + step / 2)]["id"] for i in range(n)]


def run(store: Store, subject: Piloted, ids: list[str], *, backlog_ids: list[str], left_out: int,
        run_id: str | None = None, claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Each sampled motion of ``ids`` through ``subject`` (nothing stored); the report, with the
    estimate for the backlog (``backlog_ids`` planned now, ``left_out`` more left for later runs).

    :raises TerminalError: the LLM backend refuses (a chain).
    :raises ProviderUnavailable: the provider cannot be used (a model).
    """
    with claims.claimed(store, subject.claim_stage, ids, holder=claims.owner(run_id), ttl=claim_ttl) as mine:
        items = subject.try_each(store, mine)
    n = len(items) or 1
    failures: dict[str, int] = {}
    for i in items:
        if not i["passed"]:
            failures[i["error_class"] or "unfaithful"] = failures.get(i["error_class"] or "unfaithful", 0) + 1
    latencies = [i["latency_ms"] for i in items]
    per_motion, estimate = subject.estimate(store, items, backlog_ids, left_out)
    return {"chain": subject.chain, "prompt_key": subject.prompt_key, "sampled": len(items),
            "pass_rate": round(sum(i["passed"] for i in items) / n, 3),
            "latency_ms": {"p50": statistics.median(latencies) if latencies else 0, "max": max(latencies, default=0)},
            "per_motion": per_motion, "failures_by_class": failures, "backlog": len(backlog_ids) + left_out,
            "estimate": estimate, "pilot_cost": round(sum(i["cost"] for i in items), 6),
            "claimed_elsewhere": len(ids) - len(items), "items": items}


class SummaryChain:
    """The pilot of an LLM chain (its backends' kinds and models, in order) with a prompt key."""

    claim_stage = CLAIM_STAGE

    def __init__(self, cascade: Cascade, prompt_key: str):
        self.cascade, self.prompt_key = cascade, prompt_key
        self.chain = chain_key(cascade.backends)
        self.name = f"{self.chain} ({prompt_key})"

    def free(self) -> str | None:
        return None if self.cascade.backends else "the extractive summarizer needs none (no model, no cost)"

    def try_each(self, store: Store, ids: list[str]) -> list[dict[str, Any]]:
        rows = {r["id"]: r for r in store.fetch("select_summary_inputs", {"ids": ids})} if ids else {}
        items = []
        for mid in ids:
            m = motion_text(rows[mid])
            out = self.cascade.summarize(m)
            found = problems(m, out.summary) if out.summary else []
            items.append({"motion": mid, "nummer": m.nummer, "title": m.title, "prompt": user_prompt(m),
                          "output": out.summary.model_dump() if out.summary else None, "passed": out.ok and not found,
                          "status": out.status, "backend": out.backend, "model": out.model, "attempts": out.attempts,
                          "input_tokens": out.input_tokens, "output_tokens": out.output_tokens, "cost": out.cost,
                          "latency_ms": out.latency_ms, "error_class": out.error_class, "error": out.error})
        return items

    def estimate(self, store: Store, items: list[dict[str, Any]], backlog_ids: list[str],
                 left_out: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The sample's average per motion, times the backlog."""
        n, backlog = len(items) or 1, len(backlog_ids) + left_out
        per = {k: sum(i[k] for i in items) / n for k in ("input_tokens", "output_tokens", "cost")}
        return {k: round(v, 6) for k, v in per.items()}, {
            "motions": backlog, "input_tokens": round(per["input_tokens"] * backlog),
            "output_tokens": round(per["output_tokens"] * backlog), "cost": round(per["cost"] * backlog, 4)}


class EmbeddingModel:
    """The pilot of an embedding model: the connection's provider kind with its stored model key
    (model and input recipe), one request per sampled motion. Tokens are estimated from the
    characters sent (:func:`motion_ops.embeddings.estimated_tokens`); the backlog's estimate is its
    own characters, not the sample's average."""

    prompt_key = EMBEDDINGS_KEY

    def __init__(self, config: ProviderConfig, embedder: Embedder | None = None):
        self.config, self.embedder = config, embedder
        self.chain = self.name = embedding_chain(config)
        self.claim_stage = claim_stage(embedder.model) if embedder is not None else ""

    def free(self) -> str | None:
        return f"{self.name} runs here at no cost" if self.config.embedded else None

    def try_each(self, store: Store, ids: list[str]) -> list[dict[str, Any]]:
        assert self.embedder is not None, "an EmbeddingModel is piloted with its embedder"
        rows = {r["id"]: r for r in store.fetch("select_pilot_inputs", {"ids": ids})} if ids else {}
        tokens = estimated_tokens(store, ids, self.config.max_input_chars)
        items, vectors = [], {}
        for mid in ids:
            r = rows[mid]
            text = substance(r["body_text"], r["title"], r["dossier_title"])
            started, calls = time.monotonic(), self.embedder.calls
            result = self.embedder.embed([text])[0]
            latency = round((time.monotonic() - started) * 1000)
            t = tokens.get(mid, 0)
            item = {"motion": mid, "nummer": r["nummer"], "title": r["title"], "prompt": text[:1500], "passed": False,
                    "status": "embedded", "backend": self.config.kind, "model": self.embedder.model,
                    "attempts": self.embedder.calls - calls, "input_tokens": t, "output_tokens": 0,
                    "cost": round(t / 1000 * self.config.price_per_1k, 6), "latency_ms": latency, "error_class": None,
                    "error": None, "output": None}
            if result.vector is None:
                item.update(status="failed", error_class="invalid_output", error=result.error)
            else:
                v = np.asarray(result.vector, dtype=np.float64)
                vectors[mid] = v / np.linalg.norm(v)
                item.update(passed=True, output={"dimensions": int(v.shape[0]), "norm": round(float(np.linalg.norm(v)), 4)})
            items.append(item)
        _nearest(items, vectors, rows)
        return items

    def estimate(self, store: Store, items: list[dict[str, Any]], backlog_ids: list[str],
                 left_out: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The planned motions' own characters, plus their average for the ``left_out``."""
        planned = estimated_tokens(store, backlog_ids, self.config.max_input_chars)
        per = sum(planned.values()) / len(planned) if planned else sum(i["input_tokens"] for i in items) / (len(items) or 1)
        tokens, price = round(sum(planned.values()) + per * left_out), self.config.price_per_1k
        return ({"input_tokens": round(per, 1), "output_tokens": 0, "cost": round(per / 1000 * price, 6)},
                {"motions": len(backlog_ids) + left_out, "input_tokens": tokens, "output_tokens": 0,
                 "cost": round(tokens / 1000 * price, 4)})


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


def estimate_line(report: dict[str, Any]) -> str:
    e = report["estimate"]
    return (f"{report['chain']}: {report['sampled']} motions piloted, {report['pass_rate']:.0%} passed validation "
            f"(failures {report['failures_by_class'] or 'none'}), latency p50 {report['latency_ms']['p50']} ms; "
            f"the whole backlog of {e['motions']:,} motions: ~{e['input_tokens']:,} input + {e['output_tokens']:,} "
            f"output tokens, estimated cost {e['cost']:.2f}")


def paths(folder: Path, stem: str) -> tuple[Path, Path]:
    """Where :func:`write` writes a report: its JSON and its HTML page."""
    return folder / f"{stem}.json", folder / f"{stem}.html"


def write(report: dict[str, Any], folder: Path, stem: str) -> tuple[Path, Path]:
    """The report as JSON and as an HTML page (template ``pilot.html``) beside the QA reports."""
    folder.mkdir(parents=True, exist_ok=True)
    js, page = paths(folder, stem)
    js.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    page.write_text(render("pilot.html", report=report, line=estimate_line(report)), encoding="utf-8")
    return js, page
