"""Benchmark of ``embed_missing``: motions/s end to end (read texts, embed, validate, upsert the
vectors) for 5,000 motions against a local OpenAI-compatible provider with a fixed per-request
latency, divided by the provider's raw throughput for the same texts and batch size measured in
the same run (plain requests, no store; batch by batch, interleaved with ours). Target: >= 0.9.
Usage: python bench/embed.py [latency_seconds] [batch_size] [--motions N] [--smoke]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid

from _common import ROOT, free_port, fresh_store, parse_args, wait_for

from devkit.standin.corpus import Corpus
from motion_ops.clients.embedder import Embedder
from motion_ops.clients.providers import OpenAIProvider, ProviderConfig
from motion_ops.embeddings import embed_batch, plan
from motion_ops.parsers.bodytext import content_hash


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("latency", type=float, nargs="?", default=0.05, help="the provider's seconds per request")
    ap.add_argument("batch", type=int, nargs="?", default=64, help="motions per embed_missing batch")
    ap.add_argument("--motions", type=int, default=5000)
    args = parse_args(ap, smoke={"motions": 200, "latency": 0.005})
    n, latency, batch = args.motions, args.latency, args.batch
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
        # interleaved: each batch goes once through the bare provider client and once through
        # embed_missing's path, so both see the same machine state (a 2-core VM drifts)
        raw = ours = 0.0
        for i, ids in enumerate(batches):
            t = time.perf_counter()
            raw_provider.embed([by_id[m] for m in ids])
            raw += time.perf_counter() - t
            t = time.perf_counter()
            embed_batch(store, embedder, ids, batch_index=i)
            ours += time.perf_counter() - t
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


if __name__ == "__main__":
    main()
