"""The read API under load: ``/api/motions/{id}/related``, ``/api/motions?q=``, the party
agreement matrix ``/api/party-agreement`` (over a dossier or the motions with a word) and the Atom
feed of a search ``/feeds/moties?q=`` with 50 concurrent clients on loopback, against the bare SQL
query for the same rows in the same run (for the feed: the search's row query, then its entries' query).

The store: the stand-in corpus (``--motions``, default 1,500) synced, embedded, computed and
published into the bench's embedded Postgres. The API runs as ``python -m motion_ops serve`` in
its own process (``--workers``, default 2, as on the 2-core reference machine), reading as the
role ``motion_reader``. Clients are asyncio connections with HTTP/1.1 keep-alive (one process);
the SQL reference is 50 concurrent psycopg connections running the endpoint's row query
(``api_related`` / ``api_search_text`` / ``api_party_votes``) with the same parameters. Each phase is bounded in
requests (``--requests``) and in time (60 s); ``--rounds`` (3) rounds alternate the bare queries
and a fresh API process, and the median of the rounds' p99 ratios is the result (a 2-core machine
shared with the clients and PostgreSQL is noisy).
The API runs with its defaults (``MOTION_API_CONNECTIONS``: as many store connections per worker
as cores); set the variable to measure another.
Prints per endpoint: p50/p99 latency and requests/s of the API and of the bare query, and the
ratio of the p99s. The API keeps rendered related-motions answers per version (a new version is a
new key; at most ``MOTION_API_CACHE_TTL`` seconds old); ``MOTION_API_CACHE_SIZE=0`` measures it
without that cache. Targets: p99 <= 3x the bare query; >= 500 requests/s for /related.
Usage: python bench/serve.py [--motions N] [--requests N] [--workers N] [--rounds N] [--smoke]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlencode

from _common import ROOT, free_port, fresh_store, parse_args, wait_for

CLIENTS = 50
TIME_CAP = 60.0
WORDS = ["stikstof", "boeren", "huurwoningen", "zorg", "asielzoekers", "klimaatdoelen", "leraren", "politie",
         "belastingen", "dijken", "defensie", "openbaar vervoer", "privacy", "musea", "armoede"]


def build_store(motions: int):
    from devkit.standin.corpus import Corpus
    from devkit.standin.server import StandinServer
    from motion_ops.bodies import BodyParams
    from motion_ops.clients.embedder import Embedder
    from motion_ops.clients.feed import FeedClient
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.embeddings import embed_ids, plan
    from motion_ops.publish import publish
    from motion_ops.run import RunContext
    from motion_ops.similarity import compute_version
    from motion_ops.sync import run_sync

    store = fresh_store()
    with StandinServer(Corpus(motions=motions, cases=True), page_size=250) as srv:
        client = FeedClient(srv.url, pool_size=8)
        run_sync(store, client, max_pages=None, bodies=BodyParams(workers=8),
                 ctx=RunContext(dag_id="bench", run_id="bench", task_id="sync"))
        client.close()
    embedder = Embedder([HashingProvider()])
    (ids,), _ = plan(store, model=embedder.model, batch_size=100_000, max_batches=None)
    embed_ids(store, embedder, ids, group_size=256)
    publish(store, compute_version(store, model=embedder.model, top_n=10)["version"])
    return store


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


async def load_http(port: int, paths: list[str]) -> tuple[list[float], float]:
    """Latencies (s) of GETs of ``paths`` by CLIENTS keep-alive connections, and the wall time."""
    queue = list(reversed(paths))
    latencies: list[float] = []
    deadline = time.perf_counter() + TIME_CAP

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue and time.perf_counter() < deadline:
                path = queue.pop()
                t = time.perf_counter()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                await reader.readexactly(length)
                if status != 200:
                    raise RuntimeError(f"{path}: HTTP {status}")
                latencies.append(time.perf_counter() - t)
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return latencies, time.perf_counter() - t0


async def load_sql(dsn: str, query: str, params: list[dict], then: tuple[str, Any] | None = None
                   ) -> tuple[list[float], float]:
    """Latencies of the bare row query with ``params``, by CLIENTS concurrent connections; with
    ``then`` = (query, params of the rows), a second query on the first's rows in the same request."""
    import psycopg

    queue = list(reversed(params))
    latencies: list[float] = []
    deadline = time.perf_counter() + TIME_CAP

    async def client() -> None:
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            await conn.execute("SET ROLE motion_reader")
            while queue and time.perf_counter() < deadline:
                p = queue.pop()
                t = time.perf_counter()
                rows = await (await conn.execute(query, p)).fetchall()
                if then is not None:
                    await (await conn.execute(then[0], then[1](rows))).fetchall()
                latencies.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return latencies, time.perf_counter() - t0


def report(name: str, api: tuple[list[float], float], bare: tuple[list[float], float]) -> float:
    (a, at), (b, bt) = api, bare
    a50, a99, b50, b99 = (percentile(x, p) * 1000 for x, p in ((a, 50), (a, 99), (b, 50), (b, 99)))
    print(f"  {name}\n    API: {len(a):>5} requests, p50 {a50:6.2f} ms, p99 {a99:6.2f} ms, {len(a) / at:7.0f} req/s | "
          f"bare SQL: p50 {b50:6.2f} ms, p99 {b99:6.2f} ms, {len(b) / bt:7.0f} q/s | p99 ratio {a99 / b99:4.2f}")
    return a99 / b99


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--motions", type=int, default=1500)
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    args = parse_args(ap, smoke={"motions": 40, "requests": 200, "rounds": 1})
    from motion_ops.serve.feeds import DEPTH as FEED_DEPTH
    from motion_ops.serve.parties import MATRIX_MAX_MOTIONS
    from motion_ops.store.db import sql

    t = time.perf_counter()
    store = build_store(args.motions)
    dsn = store.dsn
    ids = [r[0] for r in store.conn.execute("SELECT DISTINCT motion_id::text FROM motion_related").fetchall()]
    version = store.conn.execute("SELECT version FROM similarity_current").fetchone()[0]
    dossiers = [r[0] for r in store.conn.execute(
        "SELECT DISTINCT coalesce(m.dossier, m.publication_dossier) FROM motions m JOIN motion_votes v ON v.motion_id = m.id "
        "WHERE NOT m.deleted AND coalesce(m.dossier, m.publication_dossier) IS NOT NULL ORDER BY 1").fetchall()]
    store.close()
    print(f"store: {len(ids)} motions with related motions (version {version}), built in {time.perf_counter() - t:.0f}s; "
          f"{CLIENTS} clients, {args.workers} API worker(s), {os.cpu_count()} cores")
    rng = random.Random(1)
    related_ids = [rng.choice(ids) for _ in range(args.requests)]
    words = [rng.choice(WORDS) for _ in range(args.requests)]
    rel_params = [{"version": version, "id": i, "min_score": -10.0, "after": 0, "limit": 11} for i in related_ids]
    none = {"parties": None, "vote": None, "outcome": None, "dossier": None, "since": None, "until": None,
            "within": None}
    search_params = [{**none, "q": w, "broaden": True, "limit": 21, "offset": 0} for w in words]  # as the API searches a word
    # the party matrix over a selection: a dossier, or the motions with one of the words (alternating)
    selections = [{"q": None, "dossier": rng.choice(dossiers)} if i % 2 else {"q": rng.choice(WORDS), "dossier": None}
                  for i in range(args.requests)]
    matrix_params = [{**sel, "ids": None, "since": None, "until": None, "limit": MATRIX_MAX_MOTIONS} for sel in selections]
    matrix_paths = ["/api/party-agreement?" + urlencode({k: v for k, v in sel.items() if v}) for sel in selections]
    feed_params = [{**p, "limit": FEED_DEPTH} for p in search_params]  # as a search's feed reads it
    port = free_port()
    cache_note = ("no response cache" if os.environ.get("MOTION_API_CACHE_SIZE") == "0" else
                  f"{len(set(related_ids))} distinct motions in {len(related_ids)} requests, cached per version")
    env = {**os.environ, "MOTION_API_SECRET": "bench", "PYTHONPATH": f"{ROOT / 'plugins'}:{ROOT}",
           "AIRFLOW_CONN_MOTION_EMBEDDINGS": json.dumps({"conn_type": "generic", "extra": {"provider": "hashing"}})}
    phases = [(f"/api/motions/{{id}}/related ({cache_note})", sql("api_related"), rel_params,
               [f"/api/motions/{i}/related?limit=10" for i in related_ids], None),
              ("/api/motions?q=", sql("api_search_text"), search_params,
               [f"/api/motions?q={w.replace(' ', '+')}" for w in words], None),
              ("/api/party-agreement?dossier= | ?q= (party matrix)", sql("api_party_votes"), matrix_params, matrix_paths,
               None),
              ("/feeds/moties?q=&mode=text (Atom)", sql("api_search_text"), feed_params,
               [f"/feeds/moties?q={w.replace(' ', '+')}&mode=text" for w in words],
               (sql("api_feed_entries"), lambda rows: {"ids": [r[0] for r in rows]}))]
    ratios: dict[str, list[float]] = {name: [] for name, *_ in phases}
    for round_ in range(1, args.rounds + 1):
        # the bare queries while the API is down (its connections count against max_connections too),
        # then the API: a fresh process per round, so each round starts cold (its cache empty)
        bare = [asyncio.run(load_sql(dsn, query, params, then)) for _, query, params, _, then in phases]
        server = subprocess.Popen([sys.executable, "-m", "motion_ops", "--dsn", dsn, "serve", "--port", str(port),
                                   "--workers", str(args.workers)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        try:
            wait_for(port, timeout=60)
            # warm up the connections and code paths, not the cache: another min_score is another key
            asyncio.run(load_http(port, [f"/api/motions/{i}/related?limit=10&min_score=-9" for i in related_ids[-200:]]
                                  + ["/api/motions?q=warm"] * 100 + ["/api/party-agreement?q=warm"] * 100
                                  + ["/feeds/moties?q=warm&mode=text"] * 100))
            print(f"round {round_}:")
            for (name, _, _, paths, _), b in zip(phases, bare):
                ratios[name].append(report(name, asyncio.run(load_http(port, paths)), b))
        finally:
            server.terminate()
            server.wait(10)
    for name, values in ratios.items():
        print(f"{name}: p99 ratio per round {', '.join(f'{v:.2f}' for v in values)}; "
              f"median {statistics.median(values):.2f} (target <= 3)")

if __name__ == "__main__":
    main()
