"""How related are the related motions? Measured on the 638 real motions shipped in the project.

``devkit/data/motions-dev.jsonl`` (CC0, Tweede Kamer open data; provenance in devkit/data/README.md):
638 motions of 2023-2025 from 30 dossiers, 53 of them amended versions of another. For each
configuration, the same code as ``compute_similarity`` (:func:`motion_ops.related.relate`) ranks
every motion's top 10, and this prints:

- the share of the top-1/5/10 related motions in the same Kamerstuk dossier, and in the same
  debate (the vote's agendapunt), against the random baseline (a random other motion);
- how many amended motions have their original among their related motions.

Configurations, in one run: *before* (the old default: 384-dimension hashing of the whole body
text, text only), *recipe* (the embedded substance, the new default provider, text only) and
*after* (the new default: recipe, provider and the fused score with its default weights).
Targets for *after*: top-5 same-dossier >= 0.40, top-5 same-debate >= 0.20, 0 originals listed.
Usage: python bench/quality.py [path/to/motions.jsonl] [--smoke] (it takes seconds: a smoke run is the same run)
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _common import ROOT, parse_args

from motion_ops.chains import Version
from motion_ops.clients.hashing import HashingProvider
from motion_ops.numerics.relatedness import Weights
from motion_ops.parsers.substance import is_amended, parse_kamerstuk, replaced_kamerstuk, substance
from motion_ops.parties import identity, votes_by_identity
from motion_ops.related import Corpus, relate

K = 10


def load(path: Path) -> list[dict]:
    return sorted((json.loads(line) for line in path.open(encoding="utf-8")), key=lambda m: m["zaak_id"])


def corpus_of(motions: list[dict], vectors: np.ndarray, *, metadata: bool) -> Corpus:
    ids = [m["zaak_id"] for m in motions]
    versions, debates, subs, votes = [], [], [], {}
    for m in motions:
        ks = parse_kamerstuk(m.get("kamerstuk"))
        versions.append(Version(m["zaak_id"], started_on=m.get("date"), nummer=m.get("nummer"), dossier=m.get("dossier"),
                                kamerstuk=f"{ks[0]}-{ks[1]}" if ks else None,
                                replaces_kamerstuk=replaced_kamerstuk(m.get("onderwerp")),
                                amended=is_amended(m.get("onderwerp"), m.get("document_soort"))) if metadata
                        else Version(m["zaak_id"]))
        debates.append((m.get("agendapunten") or [{}])[0].get("id") if metadata else None)
        subs.append(list(m.get("submitters") or []) if metadata else [])
        if metadata and m.get("votes"):
            votes[m["zaak_id"]] = votes_by_identity((identity(p), v["vote"]) for p, v in m["votes"]["parties"].items())
    return Corpus(ids, vectors, [str(hash(m["text"])) for m in motions], [m.get("onderwerp") for m in motions],
                  versions, debates, subs, votes)


def shares(motions: list[dict], idx: np.ndarray) -> dict[str, float]:
    dossier = [m.get("dossier") for m in motions]
    debates = [{a["id"] for a in (m.get("agendapunten") or [])} for m in motions]
    out = {}
    for k in (1, 5, 10):
        d_hits = d_all = a_hits = a_all = 0
        for i, row in enumerate(idx[:, :k]):
            for j in row[row >= 0]:
                if dossier[i]:
                    d_all += 1
                    d_hits += dossier[i] == dossier[j]
                if debates[i]:
                    a_all += 1
                    a_hits += bool(debates[i] & debates[j])
        out[f"dossier@{k}"] = d_hits / max(d_all, 1)
        out[f"debate@{k}"] = a_hits / max(a_all, 1)
    return out


def baseline(motions: list[dict]) -> dict[str, float]:
    n = len(motions)
    d_pairs = a_pairs = 0
    for i in range(n):
        for j in range(n):
            if i != j:
                d_pairs += bool(motions[i].get("dossier")) and motions[i].get("dossier") == motions[j].get("dossier")
                a_pairs += bool({a["id"] for a in motions[i].get("agendapunten") or []}
                                & {a["id"] for a in motions[j].get("agendapunten") or []})
    return {"dossier": d_pairs / (n * (n - 1)), "debate": a_pairs / (n * (n - 1))}


def originals_listed(motions: list[dict], idx: np.ndarray) -> tuple[int, int]:
    """(amended motions whose original is among their related motions, amended motions with their original here)."""
    row = {m["nummer"]: i for i, m in enumerate(motions)}
    amended = [(i, row[m["replaces_nummer"]]) for i, m in enumerate(motions) if m.get("replaces_nummer") in row]
    return sum(int(o in idx[i]) for i, o in amended), len(amended)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", type=Path, nargs="?", default=ROOT / "devkit" / "data" / "motions-dev.jsonl")
    path = parse_args(ap, smoke={}).path
    motions = load(path)
    base = baseline(motions)
    print(f"{len(motions)} real motions from {len({m['dossier'] for m in motions})} dossiers ({path.name}); "
          f"top {K}; random baseline: same dossier {base['dossier']:.3f}, same debate {base['debate']:.3f}")
    old, new = HashingProvider(384), HashingProvider()
    configs = [
        ("before", old, [m["text"] for m in motions], False, Weights(text=1, votes=0, dossier=0, debate=0, submitters=0)),
        ("recipe", new, [substance(m["text"], m.get("onderwerp"), m.get("dossier_title")) for m in motions], False,
         Weights(text=1, votes=0, dossier=0, debate=0, submitters=0)),
        ("after", new, [substance(m["text"], m.get("onderwerp"), m.get("dossier_title")) for m in motions], True,
         Weights()),
    ]
    print(f"{'config':<7} {'model':<24} {'dossier@1':>9} {'@5':>6} {'@10':>6}  {'debate@1':>8} {'@5':>6} {'@10':>6}  "
          f"{'originals listed':>16}  seconds")
    for name, provider, texts, metadata, weights in configs:
        t = time.perf_counter()
        vectors = np.array(provider.embed(texts), dtype=np.float32)
        _, idx, _ = relate(corpus_of(motions, vectors, metadata=metadata), weights, K)
        s = shares(motions, idx)
        listed, amended = originals_listed(motions, idx)
        print(f"{name:<7} {provider.model:<24} {s['dossier@1']:9.3f} {s['dossier@5']:6.3f} {s['dossier@10']:6.3f}  "
              f"{s['debate@1']:8.3f} {s['debate@5']:6.3f} {s['debate@10']:6.3f}  {listed:>7} of {amended:<6}  "
              f"{time.perf_counter() - t:.1f}")
        if name == "after":
            d5, a5 = s["dossier@5"], s["debate@5"]
            print(f"after vs random: top-5 same dossier {d5 / base['dossier']:.1f}x, same debate {a5 / base['debate']:.1f}x "
                  f"(targets: >= 0.40, >= 0.20, 0 originals listed)")


if __name__ == "__main__":
    main()
