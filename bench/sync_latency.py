"""The first full sync over a slow link: categories read in parallel against their lower bound.

The stand-in serves a realistic mix of category sizes (``--motions`` motions: Stemming, a row per
party per vote, is by far the largest; then ZaakActor, Zaak, Document, DocumentVersie, Besluit;
one page each of Fractie and Kamerstukdossier) with a fixed latency per request (``--latency``,
100 ms). Each category's skiptoken chain is sequential, so no sync can beat the longest chain:
the lower bound is that category's page count times the latency, measured in the same run.
Prints the wall time of the first full sync with the connection's defaults (``parallel_categories``
4, ``min_request_interval`` 0.05 s) and one category at a time, against the bound (target <= 1.3x);
then the body texts of the synced motions over the same link: requests per body (target <= 2).
Usage: python bench/sync_latency.py [--motions N] [--latency S] [--smoke]
"""
from __future__ import annotations

import argparse
import math
import time
from types import SimpleNamespace

from _common import fresh_store, parse_args


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--motions", type=int, default=2000)
    ap.add_argument("--latency", type=float, default=0.1)
    args = parse_args(ap, smoke={"motions": 30, "latency": 0.01})
    from devkit.standin.corpus import Corpus
    from devkit.standin.server import PAGE_SIZE, StandinServer
    from motion_ops.assemble import assemble_changed
    from motion_ops.bodies import BodyParams, fetch_bodies
    from motion_ops.clients.feed import FeedClient, FeedConfig
    from motion_ops.run import RunContext
    from motion_ops.sync import CATEGORIES, sync_categories

    ctx = RunContext(dag_id="bench", run_id="bench", task_id="sync_content")
    corpus = Corpus(motions=args.motions)
    sizes = {c: 0 for c in CATEGORIES}
    for e in corpus.log:
        if e.generation == 1:
            sizes[e.entity.category] = sizes.get(e.entity.category, 0) + 1
    pages = {c: max(1, math.ceil(n / PAGE_SIZE)) for c, n in sizes.items()}
    longest = max(pages, key=pages.get)
    print(f"{args.motions} motions: {sum(sizes.values()):,} entities in {sum(pages.values())} pages of {PAGE_SIZE} "
          f"(" + ", ".join(f"{c} {pages[c]}" for c in CATEGORIES) + f"); {args.latency * 1000:.0f} ms per request")
    with StandinServer(corpus) as srv:
        srv.faults.add(kind="latency", seconds=args.latency, match="", times=-1)
        conn = SimpleNamespace(host=srv.url, port=None, schema=None, login=None, password=None, extra_dejson={})
        config = FeedConfig.from_connection(conn)
        # the lower bound, measured: the longest category's chain alone, as many requests as it has pages
        store = fresh_store()
        t = time.perf_counter()
        sync_categories(store, FeedClient.from_config(config), [longest], max_pages=None, ctx=ctx, parallel=1)
        chain = time.perf_counter() - t
        bound = max(chain, (pages[longest] + 1) * args.latency)
        print(f"lower bound: {longest}'s chain of {pages[longest]} pages (+ the empty caught-up page) "
              f"{chain:.2f}s measured alone ({(pages[longest] + 1) * args.latency:.2f}s of latency)")
        for name, parallel in (("parallel (connection defaults)", config.parallel_categories), ("one at a time", 1)):
            store = fresh_store()  # the same database: each sync is a first full sync
            client = FeedClient.from_config(config)
            before = len(srv.requests)
            t = time.perf_counter()
            out = sync_categories(store, client, CATEGORIES, max_pages=None, ctx=ctx, parallel=parallel)
            seconds, requests = time.perf_counter() - t, len(srv.requests) - before
            assert all(s["caught_up"] for s in out.values()), out
            print(f"{name:<32} {seconds:6.2f}s, {requests} requests = {seconds / bound:4.2f}x the bound"
                  + ("  (target <= 1.3)" if name.startswith("parallel") else ""))
            if parallel > 1:  # the bodies of what it synced, over the same link
                assemble_changed(store, ctx=ctx)
                before = len(srv.requests)
                t = time.perf_counter()
                bodies = fetch_bodies(store, client, BodyParams(workers=10), ctx)
                seconds, requests = time.perf_counter() - t, len(srv.requests) - before
                done = bodies["fetched"] + bodies["not_published"] + bodies["failed"]
                print(f"  bodies: {bodies['fetched']} fetched, {bodies['not_published']} not published yet, "
                      f"{bodies['failed']} failed, with {requests} requests in {seconds:.2f}s = "
                      f"{requests / max(done, 1):.2f} requests per body (target <= 2): the document version's "
                      f"publications (the version id is in the synced entities), then the publication's file")


if __name__ == "__main__":
    main()
