"""The QA report of a similarity version: a text table for the log, a JSON ledger and an HTML page."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from motion_ops.clients.hashing import is_lexical
from motion_ops.numerics.relatedness import reason
from motion_ops.reports.links import official_url
from motion_ops.reports.names import file_safe
from motion_ops.reports.render import render


def format_table(checks: list[Any]) -> str:
    """The checks as a fixed-width table (name, value, threshold, pass/FAIL)."""
    rows = [c if isinstance(c, dict) else asdict(c) for c in checks]
    lines = [f"{'check':<28} {'value':>10} {'threshold':>10}  result", "-" * 60]
    lines += [f"{r['name']:<28} {r['value']:>10} {r['threshold']:>10}  {'pass' if r['passed'] else 'FAIL'}" for r in rows]
    return "\n".join(lines)


def usable_reports_dir(path: str | Path) -> Path:
    """``path`` as a folder the reports can be written to (created if missing).

    :raises ValueError: it is a file, cannot be created, or cannot be written to.
    """
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"qa_reports_dir {str(folder)!r} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".motion-ops-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"qa_reports_dir {str(folder)!r} cannot be written to: {exc.strerror or exc}") from None
    return folder


EXPLAINED = {
    "has_neighbours": "sampled motions without any related motion (allowed: 0)",
    "no_self_neighbour": "sampled motions listed as their own related motion (allowed: 0)",
    "scores_valid_and_sorted": "sampled motions whose scores are outside [-1, 1] or not descending (allowed: 0)",
    "neighbours_live_same_model": "sampled motions with a related motion that is deleted or has no vector of this model (allowed: 0)",
    "not_all_trivial": "sampled motions whose related motions all score as identical texts (allowed: 0)",
    "filters_held": "sampled motions with a duplicate text or a trivially equal short title among their related motions (allowed: 0)",
    "coverage": "share of live motions with text that have a vector of this model (at least the threshold)",
    "failure_ratio": "share of motions with text that failed to embed in this run (at most the threshold)",
    "relevance_proxy": "share of sampled related motions in the same dossier or with the same dossier title (at least the threshold)",
    "score_shift": "change of the median rank-1 score against the version readers see now, if of the same model (at most the threshold)",
}


def report_stem(run_id: str, version: int, try_number: int) -> str:
    """The file name (without suffix) of a run's report for a version and try."""
    return f"qa_similarity_{file_safe(run_id)}_v{version}_try{try_number}"


def write_reports(reports_dir: Path, run_id: str, metrics: dict[str, Any], sample: list[dict[str, Any]],
                  passed: bool, *, page: str | None = None) -> dict[str, Path]:
    """The JSON ledger and a self-contained HTML page (``page``, else rendered here), one pair per
    run, version and try (a cleared and re-run qa_sample keeps the earlier try's)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    stem = report_stem(run_id, int(metrics["version"]), int(metrics.get("try_number") or 1))
    ledger = {"run_id": run_id, "passed": passed, "created": dt.datetime.now(dt.timezone.utc).isoformat(), **metrics,
              "sample": [{"id": m["id"], "nummer": m.get("nummer"), "title": m.get("title"),
                          "neighbours": [{"id": n["neighbour_id"], "rank": n["rank"], "score": round(n["score"], 4)}
                                         for n in m["neighbours"]]} for m in sample]}
    jpath = reports_dir / f"{stem}.json"
    tmp = jpath.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(ledger, indent=2, default=str), encoding="utf-8")
    tmp.replace(jpath)
    hpath = reports_dir / f"{stem}.html"
    hpath.write_text(page if page is not None else render_html(run_id, metrics, sample, passed), encoding="utf-8")
    return {"json": jpath, "html": hpath}


BUCKETS = 40  # select_score_histogram: width_bucket(score, -1, 1, 40)


def _histogram(current: dict[Any, int], previous: dict[Any, int] | None) -> dict[str, Any] | None:
    """What the template draws of the rank-1 scores: this version's bars and the published one's
    line (``points``, None without one), the count grid and the score ticks; None without scores."""
    if not current:
        return None
    cur = {int(b): n for b, n in current.items()}
    prev = {int(b): n for b, n in (previous or {}).items()}
    top = max([*cur.values(), *prev.values(), 1])
    w, h, left, bottom, bar = 760, 300, 56, 40, 16
    plot_h = h - bottom - 16
    y = lambda n: 16 + plot_h * (1 - n / top)  # noqa: E731
    grid = [{"n": n, "y": y(n)} for n in (round(top * i / 4) for i in range(5))]
    bars = [{"x": left + (b - 1) * bar + 1, "y": y(n), "height": 16 + plot_h - y(n), "low": -1 + (b - 1) * 0.05,
             "high": -1 + b * 0.05, "n": n} for b, n in ((b, cur.get(b, 0)) for b in range(1, BUCKETS + 1))]
    points = (" ".join(f"{left + (b - 0.5) * bar:.1f},{y(prev.get(b, 0)):.1f}" for b in range(1, BUCKETS + 1))
              if prev else None)
    ticks = [{"x": left + tick * bar, "score": -1 + tick * 0.05} for tick in range(0, BUCKETS + 1, 5)]
    return {"w": w, "h": h, "left": left, "right": left + BUCKETS * bar, "bar": bar, "plot_h": plot_h, "grid": grid,
            "bars": bars, "points": points, "ticks": ticks, "middle": left + BUCKETS * bar / 2, "half": 16 + plot_h / 2}


def _link(nummer: str | None, document_nummer: str | None, label: str) -> dict[str, Any]:
    """A motion's page on tweedekamer.nl (by its Zaak and document numbers; ``href`` None: the bare label)."""
    return {"href": official_url(nummer, document_nummer), "label": label}


def render_html(run_id: str, metrics: dict[str, Any], sample: list[dict[str, Any]], passed: bool) -> str:
    """The QA page (template ``qa.html``): the checks, the rank-1 scores and the sampled motions."""
    min_common = int(((metrics.get("params") or {}).get("weights") or {}).get("min_common_parties") or 1)
    checks = [{"name": c["name"], "explained": EXPLAINED.get(c["name"], ""), "value": c["value"],
               "threshold": c["threshold"], "passed": c["passed"], "detail": c["detail"]} for c in metrics["checks"]]
    cards = [{"link": _link(m.get("nummer"), m.get("document_nummer"), f"{m.get('nummer') or ''} {m.get('title') or m['id']}"),
              "dossier": m.get("dossier") or "-", "started_on": m.get("started_on") or "",
              "neighbours": [{"score": n["score"], "dossier": n.get("neighbour_dossier") or "", "why": reason(n, min_common),
                              "link": _link(n.get("neighbour_nummer"), n.get("neighbour_document_nummer"),
                                            (n.get("neighbour_nummer") or "") + " " + (n.get("neighbour_title") or n["neighbour_id"]))}
                             for n in m["neighbours"]]} for m in sample]
    weights = (metrics.get("params") or {}).get("weights") or {}
    terms = [f"{float(weights[k]):g} × {label}" for k, label in (
        ("text", "text cosine"), ("votes", "net vote agreement over the parties that voted on both"),
        ("dossier", "same dossier"), ("debate", "same debate"), ("submitters", "submitter overlap"))
        if float(weights.get(k) or 0)]
    previous = metrics.get("previous_rank1_histogram")
    return render("qa.html", run_id=run_id, passed=passed, metrics=metrics, model=str(metrics["model"]),
                  lexical=is_lexical(str(metrics["model"])),
                  try_number=metrics.get("try_number") or 1, checks=checks, cards=cards, terms=" + ".join(terms),
                  dist=metrics.get("distribution") or {}, prev=metrics.get("previous_distribution") or {},
                  histogram=_histogram(metrics.get("rank1_histogram") or {}, previous),
                  compared=bool(previous), previous_version=metrics.get("previous_version"))
