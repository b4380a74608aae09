"""The sync_content task as one stage (sync, then the embedding plan within the run's limits, its
summary and line) and announce_texts' decision, without Airflow."""
from motion_ops.clients.feed import FeedClient
from motion_ops.clients.providers import ProviderConfig
from motion_ops.clients.retry import RetryPolicy
from motion_ops.content import sync_content, texts_changed
from motion_ops.params import ENRICHMENT, defaults
from motion_ops.run import RunContext, RunParams

CTX = RunContext(dag_id="motion_enrichment", run_id="r1", task_id="sync_content")
MODEL = "hashing-lexical-v1-2048+substance-v1"


def params(**changes):
    return RunParams.from_mapping({**defaults(ENRICHMENT), **changes})[0]


def run(store, p, clock, url=None, max_map=1024):
    connected = []

    def connect():
        connected.append(url)
        return FeedClient(url, sleep=clock.sleep, policy=RetryPolicy(attempts=3), pool_size=4)

    out = sync_content(store, connect, p, model=MODEL, config=ProviderConfig(kind="hashing"), window=(None, None),
                       max_map=max_map, ctx=CTX)
    return out, connected


def test_a_sync_plans_the_batches_within_max_batches_and_airflows_cap_and_says_so_in_one_line(store, standin, clock):
    out, connected = run(store, params(batch_size=16, max_batches=3), clock, standin.url, max_map=2)
    assert connected == [standin.url] and out.fail is None and out.write
    assert [b["batch_index"] for b in out.xcom()] == [0, 1] and all(len(b["ids"]) == 16 for b in out.xcom())
    s = out.summary
    assert (s["planned_batches"], s["planned_motions"], s["model"], s["dry_run"]) == (2, 32, MODEL, False)
    with_text = store.conn.execute("SELECT count(*) FROM motions WHERE NOT deleted AND body_text IS NOT NULL").fetchone()[0]
    assert s["left_for_next_run"] == with_text - 32 and s["window"] == ["None", "None"]
    assert out.line.startswith("read ") and f"planned 32 motions in 2 batches for {MODEL}" in out.line
    assert out.items == sum(c["entities"] for c in s["categories"].values()) > 0 and out.failures == 0


def test_a_dry_run_reads_no_feed_plans_without_a_plan_to_map_and_writes_no_metric(store, clock):
    out, connected = run(store, params(dry_run=True), clock)
    assert connected == [] and out.xcom() == [] and not out.write and out.fail is None
    assert out.summary["dry_run"] is True and out.line.startswith("dry run: nothing read or written")


def test_a_feed_that_gives_nothing_on_a_first_sync_fails_the_task_after_the_plan_is_made(store, clock):
    from devkit.standin.corpus import Corpus
    from devkit.standin.server import StandinServer

    with StandinServer(Corpus(motions=12)) as srv:
        srv._by_cat.clear()  # a server that answers every category with an empty, caught-up page
        out, _ = run(store, params(), clock, srv.url)
    assert out.fail.startswith("sync_content: the feed returned no entities at all") and out.summary["problem"]
    assert out.xcom() == [] and out.summary["planned_batches"] == 0


def test_announce_texts_sends_the_asset_event_only_when_motion_texts_changed():
    changed = texts_changed({"assembly": {"written": 2}, "bodies": {"fetched": 3}, "dry_run": False})
    assert changed.xcom() == changed.event == {"motions_written": 2, "bodies_fetched": 3} and changed.skip is None
    assert not changed.write  # announce_texts keeps no run metric
    for summary in ({"assembly": {"written": 0}, "bodies": {"fetched": 0}}, {"assembly": {"written": 1}, "dry_run": True},
                    None):
        out = texts_changed(summary)
        assert out.skip.startswith("no motion text changed") and out.event is None
