"""The summarize stage's throughput against bare backend calls on the same batches.

The store: the stand-in corpus (``--motions``, default 80) synced into the bench's embedded
Postgres, planned in batches of ``--batch-size`` (20) as ``plan_summaries`` does. The backend: the
stand-in chat server answering every request after ``--latency`` (0.2 s), OpenAI chat-completions
format. Reference: for each planned motion, one bare ``POST /v1/chat/completions`` with the same
instructions and prompt through the ``openai`` SDK, batch after batch. Measured: the stage itself,
``summarize_batch`` over the same batches (pydantic-ai, output validation, the faithfulness check,
the store writes), its summaries deleted between rounds. ``--rounds`` (3) rounds alternate the two;
prints each round's wall times and the throughput ratio stage/bare, and their median.
Target: ratio >= 0.9.
Usage: python bench/summaries.py [--motions N] [--batch-size N] [--latency S] [--rounds N] [--smoke]
"""
from __future__ import annotations

import argparse
import statistics
import time

from _common import fresh_store, parse_args


def build_store(motions: int):
    from devkit.standin.corpus import Corpus
    from devkit.standin.server import StandinServer
    from motion_ops.bodies import BodyParams
    from motion_ops.clients.feed import FeedClient
    from motion_ops.run import RunContext
    from motion_ops.sync import run_sync

    store = fresh_store()
    with StandinServer(Corpus(motions=motions), page_size=250) as srv:
        client = FeedClient(srv.url, pool_size=8)
        run_sync(store, client, max_pages=None, bodies=BodyParams(workers=8),
                 ctx=RunContext(dag_id="bench", run_id="bench", task_id="sync"))
        client.close()
    return store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--motions", type=int, default=80)
    ap.add_argument("--batch-size", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--rounds", type=int, default=3)
    args = parse_args(ap, smoke={"motions": 10, "batch_size": 5, "latency": 0.01, "rounds": 1})
    from openai import OpenAI

    from devkit.standin.chat import ChatServer
    from motion_ops.llm.backends import Backend
    from motion_ops.llm.cascade import Cascade
    from motion_ops.llm.prompt import INSTRUCTIONS, user_prompt
    from motion_ops.run import RunContext
    from motion_ops.summaries.plan import motion_text, plan
    from motion_ops.summaries.summarize import summarize_batch

    store = build_store(args.motions)
    batches, _ = plan(store, batch_size=args.batch_size, max_batches=None)
    planned = sum(map(len, batches))
    texts = {r["id"]: motion_text(r) for r in store.fetch("select_summary_inputs", {"ids": [i for b in batches for i in b]})}
    ratios = []
    with ChatServer(model="bench-chat", latency=args.latency) as srv:
        bare_client = OpenAI(base_url=srv.base_url, api_key="bench", max_retries=0)
        cascade = Cascade([Backend("bench", "openai", "bench-chat", srv.base_url, "bench")])
        cascade.summarize(next(iter(texts.values())))  # warm up: pydantic-ai's imports and agent, the HTTP pool
        bare_client.chat.completions.create(model="bench-chat", messages=[{"role": "user", "content": "warm up"}])
        print(f"{planned} motions in {len(batches)} batches of {args.batch_size}; stand-in backend answering in "
              f"{args.latency * 1000:.0f} ms")
        for round_ in range(1, args.rounds + 1):
            t0 = time.perf_counter()
            for batch in batches:
                for mid in batch:
                    m = texts[mid]
                    bare_client.chat.completions.create(model="bench-chat", temperature=0, messages=[
                        {"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": user_prompt(m)}])
            bare = time.perf_counter() - t0
            store.conn.execute("DELETE FROM motion_summaries")
            store.conn.commit()
            calls = len(srv.calls)
            t0 = time.perf_counter()
            done = 0
            for i, batch in enumerate(batches):
                out = summarize_batch(store, cascade, batch, batch_index=i,
                                      ctx=RunContext(dag_id="bench", run_id=f"bench-{round_}", task_id="summarize"))
                done += out["summarized"]
            stage = time.perf_counter() - t0
            assert done == planned, f"summarized {done} of {planned}"
            assert len(srv.calls) - calls == planned, "the stage made more requests than motions"
            ratio = (planned / stage) / (planned / bare)
            ratios.append(ratio)
            print(f"round {round_}: bare calls {bare:6.2f} s ({planned / bare:5.2f}/s) | stage {stage:6.2f} s "
                  f"({planned / stage:5.2f}/s, {(stage - bare) / planned * 1000:5.1f} ms more per motion) | ratio {ratio:.3f}")
    print(f"throughput ratio stage/bare per round {', '.join(f'{r:.3f}' for r in ratios)}; "
          f"median {statistics.median(ratios):.3f} (target >= 0.9)")
    store.close()


if __name__ == "__main__":
    main()
