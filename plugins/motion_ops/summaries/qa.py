"""QA of the summaries: a sample of the run's unpublished summaries checked again before publish."""
from __future__ import annotations

import json
import random
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from motion_ops.llm.faithfulness import problems
from motion_ops.llm.prompt import MotionText
from motion_ops.llm.schema import MotionSummary
from motion_ops.reports.names import file_safe
from motion_ops.run import TaskResult
from motion_ops.store.db import Store, sql


def words_per_sentence(text: str) -> float:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return sum(len(s.split()) for s in sentences) / max(1, len(sentences))


def qa(store: Store, *, run_id: str, sample_size: int, max_words_per_sentence: float = 25.0, seed: int = 0) -> dict[str, Any]:
    """Check a sample of the run's unpublished summaries again: schema, faithfulness, provenance,
    the extractive label, and plain language (the median words per sentence of the models'
    summaries, a B1 rule of thumb; extractive ones are the motion's own words)."""
    rows = store.fetch("select_run_summaries", {"run_id": run_id})
    sample = random.Random(seed).sample(rows, min(sample_size, len(rows)))
    failures: list[dict[str, Any]] = []
    lengths = []
    for r in sample:
        try:
            s = MotionSummary.model_validate({k: r[k] for k in ("summary_nl", "summary_en", "requests", "topics", "inferred")})
        except ValueError as exc:
            failures.append({"motion": r["motion_id"], "check": "schema", "detail": str(exc)[:300]})
            continue
        m = MotionText(r["motion_id"], r["nummer"], r["title"], r["body_text"], r["dossier"], r["dossier_title"])
        for p in problems(m, s):
            failures.append({"motion": r["motion_id"], "check": "faithful", "detail": p})
        if not r["backend"] or not r["model"] or (r["status"] == "extractive") != (r["backend"] == "extractive"):
            failures.append({"motion": r["motion_id"], "check": "provenance", "detail": f"{r['status']} by {r['backend']}"})
        if r["status"] != "extractive":  # the motion's own words are not a plain-language claim
            lengths.append(words_per_sentence(s.summary_nl))
    median_words = statistics.median(lengths) if lengths else 0.0
    checks = {"schema_and_faithful": not failures, "plain_language": median_words <= max_words_per_sentence}
    bad = sorted({f["motion"] for f in failures if f["check"] in ("schema", "faithful")})
    if bad:  # never published; removed, so the next run summarizes them again
        with store.transaction() as cur:
            for mid in bad:
                cur.execute(sql("delete_summary"), {"motion_id": mid, "run_id": run_id})
    return {"run_id": run_id, "stored": len(rows), "sampled": len(sample), "checks": checks,
            "passed": all(checks.values()), "median_words_per_sentence": round(median_words, 1),
            "failures": failures[:50], "by_status": dict(Counter(r["status"] for r in rows)),
            "tokens": [sum(r["input_tokens"] for r in rows), sum(r["output_tokens"] for r in rows)]}


def qa_step(store: Store, *, run_id: str, sample_size: int, failure_ratio: float, folder: Path) -> TaskResult:
    """The ``qa_summaries`` task: :func:`qa`, its report written to ``folder`` as
    ``summaries-<run>.json``; a failing QA fails the task (nothing is published)."""
    report = qa(store, run_id=run_id, sample_size=sample_size)
    report["failure_ratio"] = failure_ratio
    path = folder / f"summaries-{file_safe(run_id)}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return TaskResult(value={"passed": True, "report": str(path), "stored": report["stored"]},
                   line=f"QA {'passed' if report['passed'] else 'FAILED'} on {report['sampled']} of {report['stored']} "
                        f"summaries {report['by_status']}; report {path}", items=report["sampled"],
                   failures=len(report["failures"]),
                   fail=None if report["passed"] else f"summary QA failed ({report['checks']}); nothing is published; "
                                                      f"see {path}")
