"""Benchmark of the sync path: SyncFeed entities parsed and upserted per second, over ~20,000
entities served by the local stand-in, against plain ElementTree parsing of the same bytes.

Prints entities/s for (a) raw ``xml.etree.ElementTree.fromstring`` of every page, (b) our
parse + upsert (defusedxml, typed entities, content hashes, COPY + merge, checkpoint) and
(c) the whole ``sync_category`` over HTTP, and the ratios (b)/(a) and (c)/(a). Target: (b)/(a) >= 0.5.
"""
from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from _common import fresh_store

from motion_ops.audit import RunContext
from motion_ops.feed import FeedClient, FeedCursor
from motion_ops.feedparse import parse_page
from motion_ops.standin.corpus import Corpus
from motion_ops.standin.server import StandinServer
from motion_ops.sync import CATEGORIES, store_page, sync_category


def main() -> None:
    corpus = Corpus(motions=960)
    print(f"corpus: {len(corpus.log)} feed entities")
    with StandinServer(corpus) as srv:
        client = FeedClient(srv.url)
        pages: list[tuple[str, bytes]] = []
        for cat in CATEGORIES:
            cursor = FeedCursor(cat)
            while cursor.has_next_page:
                resp = client.get("/SyncFeed/2.0/Feed", params={"category": cat, **({"skiptoken": cursor.skiptoken} if cursor.skiptoken else {})})
                page = parse_page(resp.content)
                cursor.update_state(page)
                if page.entities:
                    pages.append((cat, resp.content))
        n = sum(len(parse_page(b).entities) for _, b in pages)
        mb = sum(len(b) for _, b in pages) / 2**20

        t = time.perf_counter()
        for _, body in pages:
            ET.fromstring(body)
        raw = time.perf_counter() - t

        store = fresh_store()
        t = time.perf_counter()
        for cat, body in pages:
            page = parse_page(body)
            store_page(store, cat, page, page.next_skiptoken)
        ours = time.perf_counter() - t
        assert store.conn.execute("SELECT count(*) FROM raw_entities").fetchone()[0] == len({(e.entity.category, e.entity.id) for e in corpus.log if e.generation == 1})
        store.close()

        store = fresh_store()
        t = time.perf_counter()
        for cat in CATEGORIES:
            sync_category(store, client, cat, max_pages=None, ctx=RunContext())
        http = time.perf_counter() - t
    print(f"{n} entities in {len(pages)} pages ({mb:.1f} MiB)")
    print(f"(a) raw ElementTree parse      {n / raw:>10,.0f} entities/s  ({raw:.2f}s)")
    print(f"(b) parse + upsert (ours)      {n / ours:>10,.0f} entities/s  ({ours:.2f}s)")
    print(f"(c) sync_category over HTTP    {n / http:>10,.0f} entities/s  ({http:.2f}s)")
    print(f"ratio (b)/(a) = {raw / ours:.2f}   (target >= 0.5)")
    print(f"ratio (c)/(a) = {raw / http:.2f}")


if __name__ == "__main__":
    main()
