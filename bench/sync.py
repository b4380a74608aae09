"""Benchmark of the sync path: SyncFeed entities parsed and upserted per second, over ~20,000
entities served by the local stand-in, against plain ElementTree parsing of the same bytes.

Prints entities/s for (a) raw ``xml.etree.ElementTree.fromstring`` of every page (no tree walk,
nothing kept), (b) ``sync_categories`` over the same pages held in memory: the production loop
(hardened parse, typed entities, one JSON document per page, one statement per page that upserts
the entities, their parent pointers and the checkpoint, sent asynchronously so PostgreSQL
writes a page while the next is parsed) without HTTP, and (c) the same over HTTP from the stand-in running
in its own process, as a real server would. Ratios (b)/(a) and (c)/(a); target (b)/(a) >= 0.5.
(a) and (b) run in ``--repeat`` rounds, one of each back to back, so both see the same phases of
a noisy machine; the headline ratio takes the best time of each, and the median and range of the
per-round ratios show how much the machine moved. For (b) it also prints the CPU seconds spent by
this Python process and by PostgreSQL (all its processes, read from /proc) in its best run: on two
cores the wall time cannot fall below max(Python, PostgreSQL, (Python + PostgreSQL) / 2).
(c) is the best of ``--repeat`` // 2 runs, as is fetching the same pages alone (no parsing): the
stand-in renders each page in Python on the same two cores, which a real, remote server does not.
Usage: python bench/sync.py [--motions 960] [--repeat 5] [--smoke]
"""
from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from _common import ROOT, free_port, fresh_store, parse_args, wait_for

from devkit.standin.saved import SavedFeed
from motion_ops.clients.feed import FeedClient, FeedCursor
from motion_ops.parsers.feedpage import parse_page
from motion_ops.run import RunContext
from motion_ops.sync import CATEGORIES, sync_categories


def postgres_cpu() -> float:
    """CPU seconds used so far by every process named postgres on this machine (Linux /proc),
    including backends that have exited (counted in their parent's cutime/cstime once reaped)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _, rest = text.partition("(")[2].partition(")")
        if name.startswith("postgres"):
            fields = rest.split()
            total += sum(int(f) for f in fields[11:15]) / tick
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--motions", type=int, default=960)  # about 20,000 feed entities
    ap.add_argument("--repeat", type=int, default=5)
    args = parse_args(ap, smoke={"motions": 20, "repeat": 1})
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "devkit.standin.server", "--port", str(port),
                               "--motions", str(args.motions)], env={**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT}"})
    try:
        wait_for(port)
        client = FeedClient(f"http://127.0.0.1:{port}")
        saved: dict[tuple[str, int | None], bytes] = {}
        for cat in CATEGORIES:
            cursor = FeedCursor(cat)
            while cursor.has_next_page:
                before = cursor.skiptoken
                resp = client.get("/SyncFeed/2.0/Feed", params={"category": cat, **({"skiptoken": before} if before else {})})
                saved[(cat, before)] = resp.content
                cursor.update_state(parse_page(resp.content))
        n = sum(len(parse_page(b).entities) for b in saved.values())
        mb = sum(len(b) for b in saved.values()) / 2**20

        def raw_parse(_store) -> None:  # under the same garbage-collector settings as sync_categories' loop
            gc.collect()
            gc.freeze()
            gc.disable()
            try:
                for body in saved.values():
                    ET.fromstring(body)
            finally:
                gc.enable()
                gc.unfreeze()

        def from_memory(store) -> None:
            sync_categories(store, SavedFeed(saved), CATEGORIES, max_pages=None, ctx=RunContext())

        def over_http(store) -> None:
            sync_categories(store, client, CATEGORIES, max_pages=None, ctx=RunContext())

        def fetch_only(_store) -> None:  # what (c) adds: the stand-in renders, the client reads
            for category, token in saved:
                client.feed_page_bytes(category, token)

        def timed(fn, cpu: list | None = None) -> float:
            """Wall time of one run (a sync: into a fresh, empty schema set up untimed); CPU split if asked."""
            store = None if fn in (raw_parse, fetch_only) else fresh_store()
            t, py, pg = time.perf_counter(), time.process_time(), postgres_cpu()
            fn(store)
            took = time.perf_counter() - t
            if cpu is not None:
                py = time.process_time() - py
                time.sleep(0.3)  # until the postmaster has reaped the writer's backend (its CPU moves to cutime)
                cpu.append((took, py, postgres_cpu() - pg))
            if store is not None:
                assert store.conn.execute("SELECT count(*) FROM raw_entities").fetchone()[0] > 0.95 * n
                store.close()
            return took

        fresh_store().close()  # start the embedded server before timing
        # (a) and (b) alternate, so both see the same phases of a noisy machine
        raws, ours, cpu = [], [], []
        for _ in range(args.repeat):
            raws.append(timed(raw_parse))
            ours.append(timed(from_memory, cpu))
        http = min(timed(over_http) for _ in range(max(1, args.repeat // 2)))
        fetch = min(timed(fetch_only) for _ in range(max(1, args.repeat // 2)))
    finally:
        server.terminate()
        server.wait()
    raw, best = min(raws), min(ours)
    _, py_cpu, pg_cpu = min(cpu)
    paired = sorted(r / o for r, o in zip(raws, ours))
    print(f"{n:,} entities in {len(saved)} pages ({mb:.1f} MiB)")
    print(f"(a) raw ElementTree parse        {n / raw:>10,.0f} entities/s  ({raw:.2f}s)")
    print(f"(b) sync_categories, saved pages {n / best:>10,.0f} entities/s  ({best:.2f}s, parse + upsert)")
    print(f"    CPU: Python {py_cpu:.2f}s, PostgreSQL {pg_cpu:.2f}s;"
          f" floor on 2 cores {max(py_cpu, pg_cpu, (py_cpu + pg_cpu) / 2):.2f}s")
    print(f"(c) sync_categories over HTTP    {n / http:>10,.0f} entities/s  ({http:.2f}s;"
          f" fetching the pages alone takes {fetch:.2f}s)")
    print(f"ratio (b)/(a) = {raw / best:.2f}   (target >= 0.5; best of {args.repeat} each)")
    print(f"    per round (a then b, back to back): median {paired[len(paired) // 2]:.2f}, range {paired[0]:.2f}-{paired[-1]:.2f}")
    print(f"ratio (c)/(a) = {raw / http:.2f}")


if __name__ == "__main__":
    main()
