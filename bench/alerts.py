"""The digest run (``send_digests``) for many subscriptions, against the bare SQL that selects each
subscription's new motions, in the same run.

The store: ``--motions`` (default 5,000) generated motions with texts, dossiers, submitters, a random
unit vector each (for "moties zoals deze") and a published version listing them; a first digest run registers them (the baseline), then ``--new`` (200)
motions arrive with a second published version. ``--subscriptions`` (10,000) confirmed daily
subscriptions follow a dossier (40 %), a search by words (30 %), a party (20 %) or "moties zoals
deze" (10 %); the new motions' arrivals are registered before both. Measured:
:func:`motion_ops.alerts.send.run_digests` end to end: each subscription locked, its new motions selected through the read API's search, its
digest rendered (text + HTML) and sent to a real SMTP server on loopback (aiosmtpd, in this
process), its progress recorded. Reference: per subscription, one bare SQL query selecting its new
motions (the same conditions, no search ranking, no mail, no record), over one connection.
``--rounds`` (1) rounds reset the progress and alternate the two. Prints the wall times, the
digests sent, milliseconds per subscription and the ratio digest run / bare SQL.
Usage: python bench/alerts.py [--motions N] [--new N] [--subscriptions N] [--rounds N] [--smoke]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
import uuid

import numpy as np
from _common import free_port, fresh_store, parse_args

WORDS = ["stikstof", "boeren", "huurwoningen", "zorg", "asielzoekers", "klimaat", "leraren", "politie", "belasting",
         "dijken", "defensie", "vervoer", "privacy", "musea", "armoede", "energie", "water", "onderwijs"]
PARTIES = ["VVD", "D66", "CDA", "SP", "PVV", "GroenLinks-PvdA", "ChristenUnie", "SGP", "PvdD", "JA21"]
DOSSIERS = [str(36000 + i) for i in range(60)]
BARE = {
    "dossier": "SELECT id FROM motions WHERE id = ANY(%(within)s::uuid[]) AND NOT deleted "
               "AND coalesce(dossier, publication_dossier) = %(dossier)s",
    "search": "SELECT id FROM motions WHERE id = ANY(%(within)s::uuid[]) AND NOT deleted "
              "AND search_tsv @@ websearch_to_tsquery('dutch', %(q)s)",
    "party": "SELECT id FROM motions m WHERE id = ANY(%(within)s::uuid[]) AND NOT deleted AND EXISTS "
             "(SELECT 1 FROM unnest(m.submitters) s WHERE right(s, length(%(party)s) + 2) = '(' || %(party)s || ')')",
    # the new motions among the 100 closest to the motion's vector (reads.ALIKE_DEPTH)
    "like": "SELECT id FROM (SELECT m.id FROM motions m JOIN motion_embeddings e ON e.motion_id = m.id "
            "AND e.model = 'bench' AND e.content_hash = m.embed_hash WHERE NOT m.deleted AND m.id <> %(motion)s::uuid "
            "ORDER BY e.embedding <=> (SELECT embedding FROM motion_embeddings WHERE motion_id = %(motion)s::uuid "
            "AND model = 'bench'), m.id LIMIT 100) t WHERE id = ANY(%(within)s::uuid[])",
}
DIMS = 64  # the motions' vectors: random unit vectors (generated, like the motions; the run's cost, not quality)


def add_motions(store, rng: random.Random, count: int) -> list[str]:
    ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(count)]
    with store.transaction() as cur:
        for i, mid in enumerate(ids):
            words = " ".join(rng.sample(WORDS, 4))
            cur.execute("INSERT INTO motions (id, nummer, title, dossier, submitters, started_on, source_hash, body_text) "
                        "VALUES (%s, %s, %s, %s, %s, %s, 'x', %s)",
                        (mid, f"2026Z{rng.getrandbits(30):09d}", f"Motie over {words}", rng.choice(DOSSIERS),
                         [f"Lid {i} ({rng.choice(PARTIES)})"], dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
                         f"De Kamer, verzoekt de regering iets te doen aan {words}."))
        vectors = np.random.default_rng(rng.getrandbits(32)).standard_normal((count, DIMS))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        cur.execute("INSERT INTO motion_embeddings (motion_id, model, content_hash, dims, embedding) "
                    "SELECT m.id, 'bench', m.embed_hash, %s, x.v::vector "
                    "FROM unnest(%s::uuid[], %s::text[]) AS x(id, v) JOIN motions m ON m.id = x.id",
                    (DIMS, ids, ["[" + ",".join(f"{x:.6f}" for x in v) + "]" for v in vectors]))
    return ids


def publish(store, rng: random.Random, ids: list[str]) -> None:
    """A published version listing every live motion with three neighbours."""
    with store.transaction() as cur:
        cur.execute("INSERT INTO similarity_versions (model, status) VALUES ('bench', 'published') RETURNING version")
        version = cur.fetchone()["version"]
        rows = [(version, m, rank, rng.choice(ids), 0.5, 0.5) for m in ids for rank in (1, 2, 3)]
        cur.executemany("INSERT INTO motion_neighbours (version, motion_id, rank, neighbour_id, score, text_score) "
                        "VALUES (%s, %s, %s, %s, %s, %s)", rows)
        cur.execute("UPDATE similarity_current SET version = %s", (version,))


def subscribe(store, rng: random.Random, count: int, motions: list[str]) -> list[tuple[str, dict]]:
    subs = []
    for i in range(count):
        roll = rng.random()
        kind, spec = (("dossier", {"dossier": rng.choice(DOSSIERS)}) if roll < 0.4 else
                      ("search", {"q": rng.choice(WORDS), "mode": "text", "filters": {}}) if roll < 0.7 else
                      ("party", {"party": rng.choice(PARTIES)}) if roll < 0.9 else
                      ("like", {"motion": rng.choice(motions)}))
        subs.append((kind, spec))
    with store.transaction() as cur:
        upto = store.fetch_one("select_alert_watermark")["upto"]
        cur.executemany("INSERT INTO alert_subscriptions (id, email, kind, spec, frequency, confirmed_at, sent_seq) "
                        "VALUES (%s, %s, %s, %s::jsonb, 'daily', now(), %s)",
                        [(str(uuid.uuid4()), f"lezer{i}@example.org", k, json.dumps(s), upto)
                         for i, (k, s) in enumerate(subs)])
    return subs


def bare(store, subs: list[tuple[str, dict]], after: int) -> tuple[float, int]:
    t = time.perf_counter()
    found = 0
    with store.transaction() as cur:
        cur.execute("SELECT coalesce(max(seq), 0) AS upto FROM alert_arrivals")
        upto = cur.fetchone()["upto"]
        for kind, spec in subs:
            cur.execute("SELECT motion_id::text AS id FROM alert_arrivals WHERE seq > %s AND seq <= %s", (after, upto))
            within = [r["id"] for r in cur.fetchall()]
            cur.execute(BARE[kind], {**spec, "within": within})
            found += bool(cur.fetchall())
    return time.perf_counter() - t, found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--motions", type=int, default=5000)
    ap.add_argument("--new", type=int, default=200)
    ap.add_argument("--subscriptions", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=1)
    args = parse_args(ap, smoke={"motions": 200, "new": 20, "subscriptions": 40, "rounds": 1})
    from aiosmtpd.controller import Controller

    from motion_ops.alerts.send import run_digests
    from motion_ops.alerts.smtp import SmtpConfig, SmtpSender

    class Count:
        received = 0

        async def handle_DATA(self, server, session, envelope) -> str:
            Count.received += 1
            return "250 OK"

    rng = random.Random(7)
    store = fresh_store()
    old = add_motions(store, rng, args.motions)
    publish(store, rng, old)
    smtp = Controller(Count(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp.port, from_email="moties@example.org", use_ssl=False,
                                   starttls=False))
    night = dt.datetime(2026, 11, 30, 3, tzinfo=dt.timezone.utc)
    run_digests(store, sender, now=night, site_url="http://x", key=b"bench", max_items=20)  # the baseline
    after = store.fetch_one("select_alert_watermark")["upto"]
    subs = subscribe(store, rng, args.subscriptions, old)
    new = add_motions(store, rng, args.new)
    publish(store, rng, old + new)
    store.fetch_one("insert_alert_arrivals")  # the new motions' arrivals, before both (the run finds them there)
    print(f"{args.motions:,} motions published, {args.new:,} new, {args.subscriptions:,} confirmed subscriptions")
    ratios = []
    for r in range(args.rounds):
        reference, matched = bare(store, subs, after)
        store.conn.execute("UPDATE alert_subscriptions SET sent_period = NULL, sent_seq = %s", (after,))
        store.conn.commit()
        t = time.perf_counter()
        result = run_digests(store, sender, now=night + dt.timedelta(days=r + 1), site_url="http://x", key=b"bench",
                             max_items=20)
        took = time.perf_counter() - t
        ratios.append(took / reference)
        print(f"round {r + 1}: digest run {took:.2f}s ({result.sent:,} sent, {result.nothing_new:,} with nothing new; "
              f"{1000 * took / args.subscriptions:.2f} ms a subscription); bare SQL {reference:.2f}s "
              f"({matched:,} with new motions); ratio {took / reference:.2f}")
    smtp.stop()
    print(f"mails received by the SMTP server: {Count.received:,}")
    print(f"ratio digest run/bare SQL = {statistics.median(ratios):.2f} (median of {len(ratios)} round(s); "
          f"the run also renders and sends each digest and records its progress)")


if __name__ == "__main__":
    main()
