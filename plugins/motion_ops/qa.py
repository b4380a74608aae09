"""The ``qa_sample`` stage: sample a new similarity version, check it, store the verdict that gates publishing.

A reproducible sample (seeded by the run id) stratified by recency and by having votes is
checked motion by motion (neighbours present, no self-neighbour, scores within the weights' range,
above ``min_score`` and descending, neighbours live and embedded with the same model, not all
trivially identical, no filtered pair slipped through, no earlier version of a motion listed, votes
consistent: agreement shown only over at least ``min_common_parties`` parties, the agreement
beyond chance finite, between -1 and 1, and 0 without common parties); the version as a whole is checked for coverage, the run's
embedding failure ratio, a score-distribution shift against the last published version, and a
relevance proxy (share of sampled neighbours in the same dossier or the same dossier title, the
closest thing to a policy topic the API offers). Reported without a verdict: the sample's
same-dossier share against the random baseline, and how many lists are shorter than ``top_n``.
Every check reports value, threshold, pass/fail.
"""
from __future__ import annotations

import json
import logging
import math
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from motion_ops.numerics.exclusions import SHORT_TITLE, TRIVIAL_SCORE, normalise_title
from motion_ops.publish import reject
from motion_ops.reports.qa import format_table, render_html, write_reports
from motion_ops.run import TaskResult
from motion_ops.store.db import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Thresholds:
    """Defaults of the ``qa_*`` DAG params."""

    min_coverage: float = 0.95
    max_failure_ratio: float = 0.05
    max_score_shift: float = 0.15        # |change| of the rank-1 median vs the last published version
    min_relevance: float = 0.10          # random neighbours would score about 1 / number of dossiers
    trivial_score: float = 0.999


@dataclass
class Check:
    name: str
    value: float
    threshold: float
    passed: bool
    detail: str = ""


def stratified_sample(population: list[dict[str, Any]], size: int, seed: str, *, recent_days: int = 90) -> list[str]:
    """``size`` ids from strata (recent or not) x (has votes or not), proportional, at least one
    per non-empty stratum while the size allows; reproducible for the same ``seed``."""
    if not population:
        return []
    rng = random.Random(seed)
    dates = [p["started_on"] for p in population if p["started_on"]]
    newest = max(dates) if dates else None
    strata: dict[tuple[bool, bool], list[str]] = {}
    for p in population:
        recent = bool(newest and p["started_on"] and (newest - p["started_on"]).days <= recent_days)
        strata.setdefault((recent, bool(p["has_votes"])), []).append(p["id"])
    size = min(size, len(population))
    chosen: list[str] = []
    keys = sorted(strata)
    quotas = {k: max(1, round(size * len(strata[k]) / len(population))) for k in keys}
    while sum(quotas.values()) > size:  # trim the largest quota first
        big = max(keys, key=lambda k: (quotas[k], k))
        quotas[big] -= 1
    for k in keys:
        ids = sorted(strata[k])
        chosen.extend(rng.sample(ids, min(quotas[k], len(ids))))
    rest = sorted(set(p["id"] for p in population) - set(chosen))
    chosen.extend(rng.sample(rest, size - len(chosen)) if size > len(chosen) else [])
    return sorted(chosen)


def check_sample(sample: list[dict[str, Any]], *, population: int, trivial_score: float, max_score: float = 1.0,
                 hidden: set[str] | frozenset[str] = frozenset(), min_score: float = 0.0,
                 min_common_parties: int = 1, parties: int = 10_000) -> list[Check]:
    """Per-motion checks; each check's value is the number of sampled motions violating it.

    :param max_score: the largest possible score (the sum of the version's weights).
    :param hidden: the version's earlier versions: they list nothing and are nobody's neighbour.
    :param min_score: above 0, a motion may have no neighbour scoring high enough.
    :param parties: the party identities of the version: no pair has more in common.
    """
    bad: dict[str, list[str]] = {k: [] for k in ("has_neighbours", "no_self_neighbour", "scores_valid_and_sorted",
                                                 "neighbours_live_same_model", "not_all_trivial", "filters_held",
                                                 "no_earlier_version_listed", "vote_agreement_common_parties")}
    for m in sample:
        nbs = m["neighbours"]
        scores = [n["score"] for n in nbs]
        if not nbs and population > 1 and m["id"] not in hidden and min_score <= 0:
            bad["has_neighbours"].append(m["id"])
        if any(n["neighbour_id"] == m["id"] for n in nbs):
            bad["no_self_neighbour"].append(m["id"])
        if (any(not -max_score - 1e-6 <= s <= max_score + 1e-6 for s in scores) or any(s < min_score for s in scores)
                or any(a < b for a, b in zip(scores, scores[1:]))):
            bad["scores_valid_and_sorted"].append(m["id"])
        if any(n["neighbour_id"] in hidden for n in nbs):
            bad["no_earlier_version_listed"].append(m["id"])
        if any(not votes_consistent(n, min_common_parties, parties) for n in nbs):
            bad["vote_agreement_common_parties"].append(m["id"])
        if any(n["neighbour_deleted"] or not n["neighbour_embedded"] for n in nbs):
            bad["neighbours_live_same_model"].append(m["id"])
        if nbs and all(s >= trivial_score for s in scores):
            bad["not_all_trivial"].append(m["id"])
        title = normalise_title(m.get("title"))
        for n in nbs:
            same_text = m.get("content_hash") and n.get("neighbour_hash") == m["content_hash"]
            text = n["text_score"] if n.get("text_score") is not None else n["score"]  # versions before 009: cosine
            short_same = (0 < len(title) < SHORT_TITLE and normalise_title(n.get("neighbour_title")) == title
                          and text >= TRIVIAL_SCORE)
            if same_text or short_same:
                bad["filters_held"].append(m["id"])
                break
    return [Check(name, len(ids), 0, not ids, ", ".join(ids[:5])) for name, ids in bad.items()]


def votes_consistent(n: dict[str, Any], min_common_parties: int, parties: int) -> bool:
    """A neighbour's vote components agree with each other: no more parties the same than in
    common, no more in common than the version has, agreement only over ``min_common_parties``,
    and the agreement beyond chance (versions from 019 on) a finite number in [-1, 1] that is 0
    when no party voted on both."""
    common, corr = n.get("vote_common"), n.get("vote_correlation")
    if common is not None and (n["vote_same"] > common or common > parties or (
            n.get("vote_agreement") is not None and common < min_common_parties)):
        return False
    if corr is None:
        return True
    return math.isfinite(corr) and abs(corr) <= 1 + 1e-4 and (bool(common) or corr == 0)


def relevance(sample: list[dict[str, Any]]) -> float:
    """Share of sampled neighbours in the same dossier or with the same dossier title."""
    hits = total = 0
    for m in sample:
        for n in m["neighbours"]:
            total += 1
            hits += bool((m.get("dossier") and n.get("neighbour_dossier") == m["dossier"]) or
                         (m.get("dossier_title") and n.get("neighbour_dossier_title") == m["dossier_title"]))
    return hits / total if total else 0.0


def same_dossier_share(sample: list[dict[str, Any]]) -> float:
    """Share of the sampled motions' neighbours in the same Kamerstuk dossier."""
    pairs = [(m.get("dossier"), n.get("neighbour_dossier")) for m in sample for n in m["neighbours"] if m.get("dossier")]
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0


def random_baseline(dossier_sizes: list[int], population: int) -> float:
    """The same-dossier share of a random other motion: sum n_d (n_d - 1) / (N (N - 1))."""
    return sum(n * (n - 1) for n in dossier_sizes) / (population * (population - 1)) if population > 1 else 0.0


def check_version(*, coverage: float, failure_ratio: float, dist: dict[str, list[float] | None],
                  previous: dict[str, list[float] | None] | None, relevance_share: float,
                  thresholds: Thresholds, no_previous: str = "no published version to compare with") -> list[Check]:
    checks = [
        Check("coverage", round(coverage, 4), thresholds.min_coverage, coverage >= thresholds.min_coverage,
              "share of live motions with text that have a vector for the model"),
        Check("failure_ratio", round(failure_ratio, 4), thresholds.max_failure_ratio,
              failure_ratio <= thresholds.max_failure_ratio, "embedding failures of this run (retry_failed)"),
        Check("relevance_proxy", round(relevance_share, 4), thresholds.min_relevance,
              relevance_share >= thresholds.min_relevance, "sampled neighbours in the same dossier or dossier title"),
    ]
    cur = (dist.get("rank1") or [None] * 3)[1]
    prev = ((previous or {}).get("rank1") or [None] * 3)[1]
    if cur is not None and prev is not None:
        shift = abs(cur - prev)
        checks.append(Check("score_shift", round(shift, 4), thresholds.max_score_shift, shift <= thresholds.max_score_shift,
                            f"rank-1 median {cur:.3f} vs {prev:.3f} in the last published version"))
    else:
        checks.append(Check("score_shift", 0.0, thresholds.max_score_shift, True, no_previous))
    return checks


def _dist(store: Store, version: int, k: int) -> dict[str, list[float] | None]:
    row = store.fetch_one("select_score_distribution", {"version": version, "k": k}) or {}
    return {key: [round(float(v), 4) for v in row[key]] if row.get(key) else None for key in ("rank1", "rankk")}


def run_qa(store: Store, *, version: int, run_id: str, sample_size: int, failure_ratio: float,
           thresholds: Thresholds, reports_dir: Path, try_number: int = 1) -> dict[str, Any]:
    """Check ``version``, store the report (a row per run, version and try, with its HTML page;
    JSON ledger and HTML files of their own per try) and return it."""
    v = store.fetch_one("select_version", {"version": version})
    if v is None:
        raise ValueError(f"similarity version {version} does not exist")
    model, k = v["model"], int(v["params"].get("top_n", 10))
    population = store.fetch("select_qa_population", {"model": model})
    ids = stratified_sample(population, sample_size, seed=run_id)
    motions = {m["id"]: {**m, "neighbours": []} for m in store.fetch("select_qa_sample_motions", {"ids": ids})}
    for n in store.fetch("select_qa_neighbours", {"version": version, "model": model, "ids": ids}):
        motions[n["motion_id"]]["neighbours"].append(n)
    sample = [motions[i] for i in ids if i in motions]
    cov = store.fetch_one("select_coverage", {"model": model})
    coverage = cov["embedded"] / cov["with_text"] if cov["with_text"] else 1.0
    current = store.fetch_one("select_current_version")
    other = current is not None and current["version"] != version
    # a model switch changes what a score means (e5's cosines are high for any two texts): no shift to judge
    same_model = other and current["model"] == model
    previous = _dist(store, current["version"], k) if same_model else None
    no_previous = (f"the published version has another model ({current['model']}): scores of two models are not "
                   "comparable" if other and not same_model else "no published version to compare with")
    dist = _dist(store, version, k)
    params = v["params"]
    weights = params.get("weights") or {}
    hidden = {r["id"] for r in store.fetch("select_hidden_versions", {"version": version})}
    checks = check_sample(sample, population=len(population), trivial_score=thresholds.trivial_score,
                          max_score=sum(float(weights.get(k) or 0) for k in ("text", "votes", "dossier", "debate", "submitters"))
                          or 1.0, hidden=hidden, min_score=float(params.get("min_score") or 0),
                          min_common_parties=int(weights.get("min_common_parties") or 1),
                          parties=len(params.get("parties") or []) or 10_000)
    checks += check_version(coverage=coverage, failure_ratio=failure_ratio, dist=dist, previous=previous,
                            relevance_share=relevance(sample), thresholds=thresholds, no_previous=no_previous)
    sizes = [r["n"] for r in store.fetch("select_dossier_sizes", {"model": model})]
    baseline = random_baseline(sizes, len(population))
    share = same_dossier_share(sample)
    listed = [m for m in sample if m["id"] not in hidden]
    short = sum(len(m["neighbours"]) < min(k, len(population) - 1) for m in listed)
    checks += [Check("same_dossier_share", round(share, 4), round(baseline, 4), True,
                     f"reported: sampled neighbours in the same dossier; a random motion would be {baseline:.4f}"),
               Check("short_lists", short, 0, True,
                     f"reported: sampled motions with fewer than {k} related motions (min_score "
                     f"{float(params.get('min_score') or 0):g}); {len(sample) - len(listed)} sampled earlier versions "
                     f"list none")]
    passed = all(c.passed for c in checks)
    hist = {r["bucket"]: r["n"] for r in store.fetch("select_score_histogram", {"version": version, "rank": 1})}
    prev_version = current["version"] if current and current["version"] != version else None
    prev_hist = ({r["bucket"]: r["n"] for r in store.fetch("select_score_histogram", {"version": prev_version, "rank": 1})}
                 if prev_version else {})
    metrics = {"version": version, "model": model, "top_n": k, "sample_size": len(sample), "population": len(population),
               "checks": [asdict(c) for c in checks], "distribution": dist, "previous_distribution": previous,
               "previous_version": prev_version, "rank1_histogram": hist, "previous_rank1_histogram": prev_hist,
               "params": params, "try_number": try_number, "thresholds": asdict(thresholds)}
    page = render_html(run_id, metrics, sample, passed)
    paths = write_reports(reports_dir, run_id, metrics, sample, passed, page=page)
    store.execute("upsert_qa_report", {"run_id": run_id, "version": version, "try_number": try_number,
                                       "metrics": json.dumps(metrics, default=str), "passed": passed, "html": page})
    log.info("QA of similarity version %d: %s\n%s", version, "PASSED" if passed else "FAILED", format_table(checks))
    log.info("QA report: %s and %s", paths["json"], paths["html"])
    return {"version": version, "passed": passed, "checks": [asdict(c) for c in checks], **{k2: str(p) for k2, p in paths.items()}}


def qa_step(store: Store, *, version: int, run_id: str, params: Any, failure_ratio: float, reports_dir: Path,
            try_number: int = 1) -> TaskResult:
    """The ``qa_sample`` task: :func:`run_qa` with the run's ``qa_*`` params; a failing version is
    rejected and fails the task (not published, readers keep the previous one) unless
    ``qa_enforce`` is false (then the report says ``published_despite``)."""
    thresholds = Thresholds(min_coverage=params.qa_min_coverage, max_failure_ratio=params.max_failure_ratio,
                            max_score_shift=params.qa_max_score_shift, min_relevance=params.qa_min_relevance)
    report = run_qa(store, version=version, run_id=run_id, sample_size=params.qa_sample_size,
                    failure_ratio=failure_ratio, thresholds=thresholds, reports_dir=reports_dir, try_number=try_number)
    failed = [c["name"] for c in report["checks"] if not c["passed"]]
    line = (f"QA {'PASSED' if report['passed'] else 'FAILED (' + ', '.join(failed) + ')'} for version {version}: "
            f"{len(report['checks'])} checks; report: the task's 'QA report' link or {report['html']}")
    fail = None
    if not report["passed"]:
        if params.qa_enforce:
            reject(store, version)
            fail = (f"QA failed for similarity version {version} ({', '.join(failed)}); it is not published and "
                    f"readers keep the previous version. Report: {report['html']}")
        else:
            log.warning("QA failed (%s) but qa_enforce is false: version %d will be published", failed, version)
            report["published_despite"] = failed
    return TaskResult(value=report, line=line, items=len(report["checks"]), failures=len(failed), fail=fail)
