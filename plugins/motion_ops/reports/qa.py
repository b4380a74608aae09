"""The QA report of a similarity version: a text table for the log, a JSON ledger and an HTML page."""
from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any


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


def write_reports(reports_dir: Path, run_id: str, metrics: dict[str, Any], sample: list[dict[str, Any]],
                  passed: bool) -> dict[str, Path]:
    """The JSON ledger ``qa_similarity_<run_id>.json`` and a self-contained HTML report beside it."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    stem = f"qa_similarity_{_safe_name(run_id)}"
    ledger = {"run_id": run_id, "passed": passed, "created": dt.datetime.now(dt.timezone.utc).isoformat(), **metrics,
              "sample": [{"id": m["id"], "title": m.get("title"),
                          "neighbours": [{"id": n["neighbour_id"], "rank": n["rank"], "score": round(n["score"], 4)}
                                         for n in m["neighbours"]]} for m in sample]}
    jpath = reports_dir / f"{stem}.json"
    tmp = jpath.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(ledger, indent=2, default=str), encoding="utf-8")
    tmp.replace(jpath)
    hpath = reports_dir / f"{stem}.html"
    hpath.write_text(render_html(run_id, metrics, sample, passed), encoding="utf-8")
    return {"json": jpath, "html": hpath}


def _histogram_svg(hist: dict[Any, int]) -> str:
    if not hist:
        return "<p>No scores.</p>"
    counts = {int(b): n for b, n in hist.items()}
    top = max(counts.values())
    bars = []
    for b in range(1, 41):
        h = 120 * counts.get(b, 0) / top
        bars.append(f'<rect x="{(b - 1) * 12}" y="{130 - h:.1f}" width="10" height="{h:.1f}" fill="#3b6ea5">'
                    f"<title>{-1 + (b - 1) * 0.05:.2f}..{-1 + b * 0.05:.2f}: {counts.get(b, 0)}</title></rect>")
    return (f'<svg width="490" height="150" role="img" aria-label="rank-1 score histogram">{"".join(bars)}'
            '<text x="0" y="145" font-size="10">-1</text><text x="234" y="145" font-size="10">0</text>'
            '<text x="470" y="145" font-size="10">1</text></svg>')


def render_html(run_id: str, metrics: dict[str, Any], sample: list[dict[str, Any]], passed: bool) -> str:
    e = html.escape
    rows = "".join(f"<tr class={'ok' if c['passed'] else 'bad'}><td>{e(c['name'])}</td><td>{c['value']}</td>"
                   f"<td>{c['threshold']}</td><td>{'pass' if c['passed'] else 'FAIL'}</td><td>{e(str(c['detail']))}</td></tr>"
                   for c in metrics["checks"])
    cards = []
    for m in sample:
        nbs = "".join(f"<li><span class=s>{n['score']:.3f}</span> {e(n.get('neighbour_title') or n['neighbour_id'])}"
                      f" <small>{e(n.get('neighbour_dossier') or '')}</small></li>" for n in m["neighbours"])
        cards.append(f"<div class=card><h3>{e(m.get('title') or m['id'])}</h3><small>{e(m.get('dossier') or '')} "
                     f"{e(str(m.get('started_on') or ''))}</small><ol>{nbs or '<li>no neighbours</li>'}</ol></div>")
    dist = metrics.get("distribution") or {}
    prev = metrics.get("previous_distribution") or {}
    verdict = "PASSED" if passed else "FAILED"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>QA {e(run_id)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px}}tr.bad td{{background:#fde2e2}}tr.ok td:nth-child(4){{color:#176b2c}}
.verdict{{font-size:1.6em;font-weight:bold;color:{'#176b2c' if passed else '#b00020'}}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}}
.card{{border:1px solid #ddd;border-radius:6px;padding:8px}}.card h3{{font-size:1em;margin:0 0 4px}}.s{{font-family:monospace;color:#3b6ea5}}</style>
</head><body><h1>Similarity QA, run {e(run_id)}</h1>
<p class=verdict>{verdict}: version {metrics['version']} ({e(metrics['model'])}, top {metrics['top_n']}),
{metrics['sample_size']} of {metrics['population']} motions sampled</p>
<h2>Checks</h2><table><tr><th>check</th><th>value</th><th>threshold</th><th>result</th><th>detail</th></tr>{rows}</table>
<h2>Score distribution</h2><p>p10 / p50 / p90 of rank-1 scores: {dist.get('rank1')} (last published: {prev.get('rank1')});
rank-{metrics['top_n']}: {dist.get('rankk')} (last published: {prev.get('rankk')})</p>{_histogram_svg(metrics.get('rank1_histogram') or {})}
<h2>Sampled motions and their neighbours</h2><div class=grid>{''.join(cards)}</div></body></html>"""
