"""The pilot before a paid run: a stratified sample of the planned motions through the real chain,
a report (the text beside the output, pass rate, latency, tokens, failures by class, the cost
extrapolated to the whole backlog), and the decisions people take on it.

A chain is (its backends' kinds and models, in order) with the prompt key; once approved, later
runs skip the pilot until either changes or the approval is revoked. The embedded extractive
summarizer needs none. Pilot outputs are not stored as summaries: a rejected chain publishes
nothing.
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path
from typing import Any

from motion_ops.llm.backends import chain_key
from motion_ops.llm.cascade import Cascade
from motion_ops.llm.faithfulness import problems
from motion_ops.llm.prompt import user_prompt
from motion_ops.reports.render import render
from motion_ops.store import claims
from motion_ops.store.approvals import (APPROVED, PENDING, REJECTED, REVOKED, decision, decisions,  # noqa: F401
                                        record)  # pilot.record etc. stay where callers look
from motion_ops.store.db import Store


def needed(store: Store, cascade: Cascade, prompt_key: str) -> tuple[bool, str]:
    """Whether this chain must be piloted first, and why (or why not)."""
    chain = chain_key(cascade.backends)
    if not cascade.backends:
        return False, "the extractive summarizer needs none (no model, no cost)"
    d = decision(store, chain, prompt_key)
    if d and d["decision"] == APPROVED:
        return False, f"{chain} ({prompt_key}) approved by {d['decided_by']} on {d['decided_at']:%Y-%m-%d %H:%M}"
    return True, f"{chain} ({prompt_key}) has not been approved" + (f" ({d['decision']} by {d['decided_by']})" if d else "")


def sample(store: Store, ids: list[str], n: int) -> list[str]:
    """``n`` of ``ids``, spread evenly over their text lengths (short and long motions alike)."""
    rows = store.fetch("select_pilot_texts", {"ids": ids}) if ids else []
    if len(rows) <= n:
        return [r["id"] for r in rows]
    step = len(rows) / n
    return [rows[int(i * step + step / 2)]["id"] for i in range(n)]


def run(store: Store, cascade: Cascade, ids: list[str], *, backlog: int, prompt_key: str, run_id: str | None = None,
        claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> dict[str, Any]:
    """Each sampled motion through the chain (nothing stored as a summary); the report. The sample
    is claimed as ``summarize`` claims (:mod:`motion_ops.store.claims`): a motion another run is
    sending to a model at the same time is left out (``claimed_elsewhere``), not paid for twice."""
    from motion_ops.summaries import CLAIM_STAGE, _text

    items, latencies = [], []
    with claims.claimed(store, CLAIM_STAGE, ids, holder=claims.owner(run_id), ttl=claim_ttl) as mine:
        rows = {r["id"]: r for r in store.fetch("select_summary_inputs", {"ids": mine})} if mine else {}
        for mid in mine:
            m = _text(rows[mid])
            out = cascade.summarize(m)
            found = problems(m, out.summary) if out.summary else []
            items.append({"motion": mid, "nummer": m.nummer, "title": m.title, "prompt": user_prompt(m),
                          "output": out.summary.model_dump() if out.summary else None, "passed": out.ok and not found,
                          "status": out.status, "backend": out.backend, "model": out.model, "attempts": out.attempts,
                          "input_tokens": out.input_tokens, "output_tokens": out.output_tokens, "cost": out.cost,
                          "latency_ms": out.latency_ms, "error_class": out.error_class, "error": out.error})
            latencies.append(out.latency_ms)
    n = len(items) or 1
    per_motion = {"input_tokens": sum(i["input_tokens"] for i in items) / n,
                  "output_tokens": sum(i["output_tokens"] for i in items) / n, "cost": sum(i["cost"] for i in items) / n}
    failures: dict[str, int] = {}
    for i in items:
        if not i["passed"]:
            failures[i["error_class"] or "unfaithful"] = failures.get(i["error_class"] or "unfaithful", 0) + 1
    return {"chain": chain_key(cascade.backends), "prompt_key": prompt_key, "sampled": len(items),
            "pass_rate": round(sum(i["passed"] for i in items) / n, 3),
            "latency_ms": {"p50": statistics.median(latencies) if latencies else 0, "max": max(latencies, default=0)},
            "per_motion": {k: round(v, 6) for k, v in per_motion.items()}, "failures_by_class": failures,
            "backlog": backlog,
            "estimate": {"motions": backlog, "input_tokens": round(per_motion["input_tokens"] * backlog),
                         "output_tokens": round(per_motion["output_tokens"] * backlog),
                         "cost": round(per_motion["cost"] * backlog, 4)},
            "pilot_cost": round(sum(i["cost"] for i in items), 6), "claimed_elsewhere": len(ids) - len(items),
            "items": items}


def estimate_line(report: dict[str, Any]) -> str:
    e = report["estimate"]
    return (f"{report['chain']}: {report['sampled']} motions piloted, {report['pass_rate']:.0%} passed validation "
            f"(failures {report['failures_by_class'] or 'none'}), latency p50 {report['latency_ms']['p50']} ms; "
            f"the whole backlog of {e['motions']:,} motions: ~{e['input_tokens']:,} input + {e['output_tokens']:,} "
            f"output tokens, estimated cost {e['cost']:.2f}")


def write(report: dict[str, Any], folder: Path, stem: str) -> tuple[Path, Path]:
    """The report as JSON and as an HTML page (template ``pilot.html``) beside the QA reports."""
    folder.mkdir(parents=True, exist_ok=True)
    js, page = folder / f"{stem}.json", folder / f"{stem}.html"
    js.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    page.write_text(render("pilot.html", report=report, line=estimate_line(report)), encoding="utf-8")
    return js, page
