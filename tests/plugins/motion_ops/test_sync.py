import datetime as dt
import os
import signal
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from devkit.standin.saved import SavedFeed
from motion_ops import sync as sync_module
from motion_ops.bodies import BodyParams
from motion_ops.clients.feed import FeedClient
from motion_ops.clients.retry import RetryPolicy
from motion_ops.run import RunContext
from motion_ops.sync import PARENT_REF, run_sync, sync_categories
from tests.conftest import ROOT

CTX = RunContext(dag_id="test", run_id="r1", task_id="sync_content")


def sync(store, url, clock, *, max_pages=None, **body_params):
    client = FeedClient(url, sleep=clock.sleep, policy=RetryPolicy(attempts=3), pool_size=4)
    return run_sync(store, client, max_pages=max_pages, bodies=BodyParams(workers=4, **body_params), ctx=CTX)


def dump(store):
    """The store's content, without timestamps or sequence numbers."""
    q = {
        "raw": "SELECT category, id::text, deleted, data, skiptoken FROM raw_entities ORDER BY 1, 2",
        "parents": "SELECT category, id::text, parents::text[] FROM raw_entities ORDER BY 1, 2",
        "motions": "SELECT id::text, source_hash, content_hash, deleted, body_versie_id::text FROM motions ORDER BY 1",
        "votes": "SELECT motion_id::text, party, vote, seats FROM motion_votes ORDER BY 1, 2",
        "checkpoints": "SELECT category, skiptoken FROM feed_checkpoints ORDER BY 1",
    }
    return {k: store.conn.execute(v).fetchall() for k, v in q.items()}


def reset(store):
    store.conn.execute("DROP SCHEMA public CASCADE")
    store.conn.execute("CREATE SCHEMA public")
    store.conn.commit()
    store.migrate()


@pytest.fixture
def reference(store, standin, clock):
    """The store after one clean sync of the stand-in (then the store is emptied again)."""
    sync(store, standin.url, clock)
    ref = dump(store)
    reset(store)
    standin.requests.clear()
    return ref


def test_a_sync_assembles_motions_votes_and_bodies_and_a_second_sync_changes_nothing(store, standin, clock, small_corpus):
    first = sync(store, standin.url, clock)
    assert first["assembly"]["written"] == 60
    live, with_text = store.conn.execute(
        "SELECT count(*) FILTER (WHERE NOT deleted), count(body_text) FROM motions").fetchone()
    assert live == 60 and with_text == len([m for m in small_corpus.motions if m["document"] in small_corpus.document_pdfs
                                            or (m["versie"] in small_corpus.versie_publications
                                                and small_corpus.publications[small_corpus.versie_publications[m["versie"]][0]].generation == 1)])
    zid = small_corpus.motions[0]["id"]
    body = store.conn.execute("SELECT body_text FROM motions WHERE id = %s", (zid,)).fetchone()[0]
    assert body.replace("\n", " ") == small_corpus.expected_texts[zid]
    before, seq = dump(store), store.conn.execute("SELECT max(change_seq) FROM raw_entities").fetchone()[0]
    second = sync(store, standin.url, clock)
    assert dump(store) == before
    assert store.conn.execute("SELECT max(change_seq) FROM raw_entities").fetchone()[0] == seq
    assert second["assembly"] == {"dirty": 0, "written": 0, "deleted": 0, "failed": 0}
    assert second["bodies"]["fetched"] == 0


@pytest.mark.parametrize("parallel", [1, 4])
def test_a_crash_between_pages_loses_nothing_and_the_rerun_converges(store, standin, clock, reference, pg_uri, parallel):
    standin.faults.add(kind="latency", match="Feed", seconds=0.15, times=-1)
    code = ("import sys; from motion_ops.store.db import Store; from motion_ops.clients.feed import FeedClient; "
            "from motion_ops.sync import sync_categories; from motion_ops.run import RunContext; "
            f"s = Store(sys.argv[1]); c = FeedClient(sys.argv[2], parallel_categories={parallel});\n"
            "sync_categories(s, c, ('Zaak', 'Document', 'DocumentVersie', 'Stemming'), max_pages=None, ctx=RunContext())")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    proc = subprocess.Popen([sys.executable, "-c", code, pg_uri, standin.url], env=env)
    deadline = time.time() + 20
    while time.time() < deadline:  # wait until some, not all, pages are committed
        n = store.conn.execute("SELECT count(*) FROM raw_entities WHERE category = 'Document'").fetchone()[0]
        store.conn.commit()
        if n >= 50:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store.conn.rollback()
    partial = store.conn.execute("SELECT count(*) FROM raw_entities").fetchone()[0]
    assert 0 < partial < len(reference["raw"])
    # every category's pages were committed with its checkpoint: nothing stored lies beyond it, so
    # the rerun starts at the checkpoint and reads again at most the page that was in flight
    checkpoints = dict(store.conn.execute("SELECT category, skiptoken FROM feed_checkpoints").fetchall())
    beyond = store.conn.execute("SELECT r.category, count(*) FROM raw_entities r JOIN feed_checkpoints c "
                                "ON c.category = r.category WHERE r.skiptoken > c.skiptoken GROUP BY 1").fetchall()
    assert checkpoints and beyond == []
    standin.faults.clear()
    first = len(standin.requests)
    sync(store, standin.url, clock)
    resumed = {}
    for path in standin.requests[first:]:
        q = parse_qs(urlsplit(path).query)
        if q.get("category"):
            resumed.setdefault(q["category"][0], int((q.get("skiptoken") or ["0"])[0]))
    assert all(resumed[c] == checkpoints[c] for c in checkpoints)  # each category resumed at its checkpoint
    assert dump(store) == reference


@pytest.mark.parametrize("fault", [
    dict(kind="status", status=500), dict(kind="status", status=429, retry_after=1), dict(kind="reset"),
    dict(kind="truncate"), dict(kind="oversize", size=3_000_000), dict(kind="bomb"),
])
def test_a_bad_feed_page_is_audited_and_a_later_run_converges(store, standin, clock, reference, fault):
    standin.faults.add(match="category=Stemming", times=-1, **fault)
    client = FeedClient(standin.url, sleep=clock.sleep, policy=RetryPolicy(attempts=3), max_bytes=2_000_000)
    out = run_sync(store, client, max_pages=None, bodies=BodyParams(workers=2), ctx=CTX)
    assert out["categories"]["Stemming"]["error"]
    (action, target, meta, run_id), = store.conn.execute(
        "SELECT action, target, metadata, run_id FROM audit_events").fetchall()
    assert action == "feed_page_failed" and target.startswith("Stemming@") and "category=Stemming" in meta["url"]
    assert run_id == "r1"
    assert out["categories"]["Zaak"]["caught_up"]  # the run went on with the other categories
    standin.faults.clear()
    sync(store, standin.url, clock)
    assert dump(store) == reference


@pytest.mark.parametrize("fault", [dict(kind="truncate"), dict(kind="reset"), dict(kind="status", status=503)])
def test_a_page_that_fails_once_is_fetched_again_in_the_same_run(store, standin, clock, reference, fault):
    standin.faults.add(match="category=Stemming", times=1, **fault)
    client = FeedClient(standin.url, sleep=clock.sleep, policy=RetryPolicy(attempts=3))
    out = run_sync(store, client, max_pages=None, bodies=BodyParams(workers=2), ctx=CTX)
    assert out["categories"]["Stemming"]["caught_up"] and not out["categories"]["Stemming"]["error"]
    assert store.conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 0
    assert dump(store) == reference


def test_generation_two_tombstones_reemits_revises_and_publishes_late(store, standin, clock, small_corpus):
    sync(store, standin.url, clock)
    reemitted = small_corpus.reemitted
    stamp = store.conn.execute("SELECT updated_at, source_hash FROM motions WHERE id = %s", (reemitted,)).fetchone()
    old_hash = store.conn.execute("SELECT content_hash FROM motions WHERE id = %s", (small_corpus.revised,)).fetchone()[0]
    late = store.conn.execute("SELECT count(*) FROM motions WHERE body_text IS NULL").fetchone()[0]
    standin.generation = 2
    out = sync(store, standin.url, clock)
    assert store.conn.execute("SELECT deleted FROM motions WHERE id = %s", (small_corpus.tombstoned,)).fetchone() == (True,)
    assert store.conn.execute("SELECT updated_at, source_hash FROM motions WHERE id = %s", (reemitted,)).fetchone() == stamp
    new = store.conn.execute("SELECT content_hash, body_text FROM motions WHERE id = %s", (small_corpus.revised,)).fetchone()
    assert new[0] != old_hash and "jaarlijks te rapporteren" in new[1]
    assert out["bodies"]["fetched"] >= 1
    assert store.conn.execute("SELECT count(*) FROM motions WHERE body_text IS NULL").fetchone()[0] < late or late == 0


def test_max_pages_bounds_the_work_and_the_next_run_continues(store, standin, clock, reference):
    sync(store, standin.url, clock, max_pages=1)
    assert store.conn.execute("SELECT count(*) FROM raw_entities WHERE category = 'Stemming'").fetchone()[0] == 50
    first = dict(store.conn.execute("SELECT category, skiptoken FROM feed_checkpoints").fetchall())
    sync(store, standin.url, clock, max_pages=2)
    assert store.conn.execute("SELECT count(*) FROM raw_entities WHERE category = 'Stemming'").fetchone()[0] == 150
    second = dict(store.conn.execute("SELECT category, skiptoken FROM feed_checkpoints").fetchall())
    assert second["Stemming"] > first["Stemming"]
    sync(store, standin.url, clock)
    assert dump(store) == reference


# --- the page statement: one per page, strictly ordered, with its checkpoint ------------------------

TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
G = "00000000-0000-4000-8000-{:012d}".format  # a GUID from a number


def feed_page(category: str, entities: list[str], next_token: int | None) -> bytes:
    """A SyncFeed page of ``entities`` (tkData XML of each) with a ``next`` link if given."""
    nxt = (f'<link rel="next" href="http://h/SyncFeed/2.0/Feed?skiptoken={next_token}&amp;category={category}"/>'
           if next_token else "")
    entries = "".join(f'<entry><title>e</title><content type="application/xml">{e}</content></entry>' for e in entities)
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{nxt}{entries}</feed>'.encode()


def besluit(n: int, zaak: int | str, *, when: str = "2024-01-02T10:00:00.1234567", deleted: bool = False, extra: str = "") -> str:
    target = G(zaak) if isinstance(zaak, int) else zaak
    body = "" if deleted else f'<tk:zaak ref="{target}"/><tk:agendapunt ref="{G(900)}"/><tk:besluitSoort>Stemmen - aangenomen</tk:besluitSoort>{extra}'
    return (f'<tk:besluit xmlns:tk="{TK}" id="{G(n)}" tk:bijgewerkt="{when}" tk:verwijderd="{str(deleted).lower()}">'
            f'{body}</tk:besluit>')


def sync_pages(store, pages: dict[tuple[str, int | None], bytes], categories=("Besluit",)):
    return sync_categories(store, SavedFeed(pages), categories, max_pages=None, ctx=CTX)


def refs_of(store):
    """The parent pointers (for Besluit: zaak) per entity, as assembly finds them."""
    return store.conn.execute("SELECT e.id::text, t::text FROM raw_entities e, unnest(e.parents) AS t WHERE e.category = 'Besluit'"
                              " ORDER BY 1, 2").fetchall()


def test_a_page_statement_replaces_changed_relations_and_leaves_unchanged_entities_alone(store):
    pages = {("Besluit", None): feed_page("Besluit", [besluit(1, 11), besluit(2, 12)], 5), ("Besluit", 5): feed_page("Besluit", [], None)}
    out = sync_pages(store, pages)["Besluit"]
    assert (out["entities"], out["changed"], out["caught_up"]) == (2, 2, True)
    # only the parent pointer is indexed; the other relation stays in the jsonb
    assert refs_of(store) == [(G(1), G(11)), (G(2), G(12))]
    assert store.conn.execute("SELECT data->'refs'->'agendapunt' FROM raw_entities WHERE id = %s", (G(1),)).fetchone()[0] == [G(900)]
    seqs = dict(store.conn.execute("SELECT id::text, change_seq FROM raw_entities").fetchall())
    # re-emitted: 1 unchanged, 2 points at another zaak now, 3 is new; then 1 is tombstoned
    pages = {("Besluit", 5): feed_page("Besluit", [besluit(1, 11), besluit(2, 13), besluit(3, 11)], 6),
             ("Besluit", 6): feed_page("Besluit", [besluit(1, 11, deleted=True, when="2024-02-01T00:00:00.0000000")], None)}
    out = sync_pages(store, pages)["Besluit"]
    assert (out["entities"], out["changed"]) == (4, 3)
    after = dict(store.conn.execute("SELECT id::text, change_seq FROM raw_entities").fetchall())
    assert after[G(2)] > seqs[G(2)] and after[G(1)] > seqs[G(1)]
    # the tombstone keeps its last relations (assembly still finds the motion it belonged to)
    assert refs_of(store) == [(G(1), G(11)), (G(2), G(13)), (G(3), G(11))]
    deleted, bijgewerkt, skiptoken = store.conn.execute(
        "SELECT deleted, bijgewerkt, skiptoken FROM raw_entities WHERE id = %s", (G(1),)).fetchone()
    # the feed's time without an offset is Amsterdam time, stored as the UTC instant
    assert deleted and bijgewerkt == dt.datetime(2024, 1, 31, 23, tzinfo=dt.timezone.utc) and skiptoken == 6
    assert store.conn.execute("SELECT skiptoken FROM feed_checkpoints WHERE category = 'Besluit'").fetchone()[0] == 6


def test_a_page_with_an_id_that_is_not_a_guid_is_audited_and_the_category_stops_before_it(store):
    pages = {("Besluit", None): feed_page("Besluit", [besluit(1, 11)], 5),
             ("Besluit", 5): feed_page("Besluit", [besluit(2, "not-a-guid")], 6),
             ("Besluit", 6): feed_page("Besluit", [besluit(3, 11)], None),
             ("Stemming", None): feed_page("Stemming", [], None)}
    out = sync_pages(store, pages, categories=("Besluit", "Stemming"))
    assert "zaak ref 'not-a-guid', not a GUID" in out["Besluit"]["error"] and not out["Besluit"]["caught_up"]
    assert out["Stemming"]["caught_up"]  # the other categories go on
    assert [r[0] for r in store.conn.execute("SELECT id::text FROM raw_entities")] == [G(1)]
    assert store.conn.execute("SELECT skiptoken FROM feed_checkpoints WHERE category = 'Besluit'").fetchone()[0] == 5
    (target,), = store.conn.execute("SELECT target FROM audit_events WHERE action = 'feed_page_failed'").fetchall()
    assert target == "Besluit@5"
    pages[("Besluit", 5)] = feed_page("Besluit", [besluit(2, 12)], 6)  # fixed at the source: the next run converges
    assert sync_pages(store, pages)["Besluit"]["caught_up"]
    assert store.conn.execute("SELECT count(*) FROM raw_entities").fetchone()[0] == 3


def test_a_page_the_database_refuses_is_audited_and_nothing_later_of_its_category_is_written(store, monkeypatch):
    pages = {("Besluit", None): feed_page("Besluit", [besluit(1, 11)], 5),
             ("Besluit", 5): feed_page("Besluit", [besluit(2, 12)], 6),
             ("Besluit", 6): feed_page("Besluit", [besluit(3, 13)], None)}
    real = sync_module.page_params

    def broken_second_page(category, page, checkpoint):
        params = real(category, page, checkpoint)
        return {**params, "page": "[not json"} if checkpoint == 6 else params

    monkeypatch.setattr(sync_module, "page_params", broken_second_page)
    out = sync_pages(store, pages)["Besluit"]
    assert "the database refused a Besluit page" in out["error"] and not out["caught_up"]
    assert store.conn.execute("SELECT target FROM audit_events WHERE action = 'feed_page_failed'").fetchall() == [("Besluit@5",)]
    assert [r[0] for r in store.conn.execute("SELECT id::text FROM raw_entities")] == [G(1)]
    assert store.conn.execute("SELECT skiptoken FROM feed_checkpoints WHERE category = 'Besluit'").fetchone()[0] == 5
    monkeypatch.setattr(sync_module, "page_params", real)
    assert sync_pages(store, pages)["Besluit"]["caught_up"]  # the next run resumes at the failed page
    assert store.conn.execute("SELECT count(*) FROM raw_entities").fetchone()[0] == 3


def test_migrations_004_and_005_carry_the_parent_pointers_over_from_entity_refs(store, tmp_path):
    """A store written before 004 keeps its relations (tombstones' included) without a new sync."""
    import shutil

    from motion_ops.store.db import SQL_DIR

    (tmp_path / "migrations").mkdir()
    for name in ("001_init.sql", "002_neighbour_spares.sql", "003_raw_without_hash.sql"):
        shutil.copy(SQL_DIR / "migrations" / name, tmp_path / "migrations" / name)
    store.conn.execute("DROP SCHEMA public CASCADE")
    store.conn.execute("CREATE SCHEMA public")
    store.conn.commit()
    assert store.migrate(tmp_path) == ["001_init", "002_neighbour_spares", "003_raw_without_hash"]
    with store.transaction() as cur:
        for n, category, deleted in ((1, "Besluit", False), (2, "Besluit", True), (3, "Stemming", False), (4, "Fractie", False)):
            cur.execute("INSERT INTO raw_entities (category, id, deleted, data, skiptoken, change_seq) "
                        "VALUES (%s, %s, %s, '{}', 1, %s)", (category, G(n), deleted, n))
        for n, category, rel, target in ((1, "Besluit", "zaak", 11), (1, "Besluit", "zaak", 12), (1, "Besluit", "agendapunt", 900),
                                         (2, "Besluit", "zaak", 13), (3, "Stemming", "besluit", 1)):
            cur.execute("INSERT INTO entity_refs (category, id, rel, target_id) VALUES (%s, %s, %s, %s)",
                        (category, G(n), rel, G(target)))
        cur.execute("INSERT INTO feed_checkpoints (category, skiptoken) VALUES ('__assembly__', 3), ('Besluit', 1)")
    shutil.copy(SQL_DIR / "migrations" / "004_joined_column.sql", tmp_path / "migrations")
    assert store.migrate(tmp_path) == ["004_joined_column"]
    joined = store.conn.execute("SELECT id::text, joined::text[] FROM raw_entities ORDER BY 1").fetchall()
    assert joined == [(G(1), [G(11), G(12)]), (G(2), [G(13)]), (G(3), [G(1)]), (G(4), [])]  # not agendapunt
    assert store.conn.execute("SELECT to_regclass('entity_refs')").fetchone()[0] is None
    store.conn.commit()
    with store.transaction() as cur:  # idempotent: the file runs again without harm
        cur.execute((SQL_DIR / "migrations" / "004_joined_column.sql").read_text())
    assert store.conn.execute("SELECT id::text, joined::text[] FROM raw_entities ORDER BY 1").fetchall() == joined
    for later in ("005_parent_pointers", "006_bad_data", "007_qa_reports_per_try", "008_run_metrics"):
        shutil.copy(SQL_DIR / "migrations" / f"{later}.sql", tmp_path / "migrations")
    assert store.migrate(tmp_path)[:2] == ["005_parent_pointers", "006_bad_data"]
    parents = store.conn.execute("SELECT id::text, parents::text[] FROM raw_entities ORDER BY 1").fetchall()
    assert parents == joined
    assert store.conn.execute("SELECT category, skiptoken FROM feed_checkpoints").fetchall() == [("Besluit", 1)]
    assert store.conn.execute("SELECT stage, change_seq FROM stage_watermarks").fetchall() == [("assembly", 3)]
    assert store.migrate()[0] == "009_related_with_reasons"  # every motion is assembled once more
    assert store.conn.execute("SELECT stage, change_seq FROM stage_watermarks").fetchall() == []
    store.conn.commit()
    with store.transaction() as cur:  # 005 is idempotent too
        cur.execute((SQL_DIR / "migrations" / "005_parent_pointers.sql").read_text())
    assert store.conn.execute("SELECT id::text, parents::text[] FROM raw_entities ORDER BY 1").fetchall() == parents
    # 005 carried the watermark over; 009 removed it, so that every motion is assembled once more
    assert store.conn.execute("SELECT stage, change_seq FROM stage_watermarks").fetchall() == []


def test_migration_016_keeps_stored_change_times_as_utc_and_reassembles_motions_with_an_unknown_seat_count(store, tmp_path):
    """A store written before 016 (Amsterdam times without a zone; a bad seat count stored as 0)."""
    import shutil

    from motion_ops.store.db import SQL_DIR, migration_files

    (tmp_path / "migrations").mkdir()
    earlier = [path for version, path in migration_files(SQL_DIR) if version < "016"]
    for path in earlier:
        shutil.copy(path, tmp_path / "migrations" / path.name)
    store.conn.execute("DROP SCHEMA public CASCADE")
    store.conn.execute("CREATE SCHEMA public")
    store.conn.commit()
    assert len(store.migrate(tmp_path)) == len(earlier)
    rows = [(1, "Besluit", "2024-01-09 10:11:12.345", {}), (2, "Besluit", "2024-07-01 12:00:00", {}),
            (3, "Stemming", "2024-07-01 12:00:00", {"fractieGrootte": "veel"}), (4, "Stemming", "2024-07-01 12:00:00", {"fractieGrootte": "9"})]
    with store.transaction() as cur:
        for n, category, when, fields in rows:
            cur.execute("INSERT INTO raw_entities (category, id, bijgewerkt, data, skiptoken, change_seq) "
                        "VALUES (%s, %s, %s, %s, 1, nextval('raw_change_seq'))",
                        (category, G(n), when, psycopg.types.json.Jsonb({"fields": fields})))
    seqs = dict(store.conn.execute("SELECT id::text, change_seq FROM raw_entities").fetchall())
    assert store.migrate()[0] == "016_utc_change_times_unknown_seats"  # then any later ones

    def times():
        return store.conn.execute("SELECT id::text, bijgewerkt FROM raw_entities ORDER BY 1").fetchall()

    utc = dt.timezone.utc
    assert [t for _, t in times()] == [dt.datetime(2024, 1, 9, 9, 11, 12, 345000, utc), dt.datetime(2024, 7, 1, 10, 0, tzinfo=utc),
                                       dt.datetime(2024, 7, 1, 10, 0, tzinfo=utc), dt.datetime(2024, 7, 1, 10, 0, tzinfo=utc)]
    after = dict(store.conn.execute("SELECT id::text, change_seq FROM raw_entities").fetchall())
    assert after[G(3)] > max(seqs.values())  # assembled again: its vote gets an unknown seat count instead of 0
    assert {k: v for k, v in after.items() if k != G(3)} == {k: v for k, v in seqs.items() if k != G(3)}
    nullable = dict(store.conn.execute("SELECT column_name, is_nullable FROM information_schema.columns "
                                       "WHERE table_name = 'motion_votes' AND column_name IN ('seats', 'voor', 'tegen')").fetchall())
    assert nullable == {"seats": "YES", "voor": "YES", "tegen": "YES"}
    before = times()
    store.conn.commit()
    with store.transaction() as cur:  # idempotent: the file runs again without harm
        cur.execute((SQL_DIR / "migrations" / "016_utc_change_times_unknown_seats.sql").read_text())
    assert times() == before


def test_select_dirty_motions_walks_every_parent_pointer(store):
    """The SQL tree of select_dirty_motions and PARENT_REF are one tree: a change to an entity of
    any category finds the motion (Zaak) at the end of its parent pointers, and nothing else."""
    chain = {"Kamerstukdossier": (70, None), "Zaak": (1, ("kamerstukdossier", 70)), "ZaakActor": (20, ("zaak", 1)),
             "Document": (30, ("zaak", 1)), "DocumentVersie": (40, ("document", 30)), "Besluit": (50, ("zaak", 1)),
             "Stemming": (60, ("besluit", 50)), "Fractie": (80, None)}
    assert {c for c, (_, parent) in chain.items() if parent} == set(PARENT_REF)  # the tree is the whole PARENT_REF
    assert all(chain[c][1][0] == rel for c, rel in PARENT_REF.items())
    with store.transaction() as cur:
        for category, (n, parent) in chain.items():
            refs = {parent[0]: [G(parent[1])]} if parent else {}
            cur.execute("INSERT INTO raw_entities (category, id, deleted, data, parents, skiptoken, change_seq) "
                        "VALUES (%s, %s, false, %s, %s::uuid[], 1, %s)",
                        (category, G(n), psycopg.types.json.Jsonb({"refs": refs}), [G(parent[1])] if parent else [], n))
    for category, (n, _) in chain.items():
        found = [str(r["zaak_id"]) for r in store.fetch("select_dirty_motions", {"since": n - 1, "upto": n})]
        assert found == ([] if category == "Fractie" else [G(1)]), category  # a Fractie leads to no motion


# --- bad data from the feed: isolated, audited, healed when the source is fixed -----------------

@pytest.fixture
def feed():
    """A corpus and stand-in of its own (the tests add entities to it)."""
    from devkit.standin.corpus import Corpus
    from devkit.standin.server import StandinServer

    with StandinServer(Corpus(motions=12), page_size=40) as srv:
        yield srv


def entity(srv, category, entity_id):
    return next(e.entity for e in reversed(srv.corpus.log) if e.entity.category == category and e.entity.id == entity_id)


def changed(ent, **fields_and_refs):
    """A re-emission of ``ent`` with some fields or refs replaced and a later change time."""
    import dataclasses

    return dataclasses.replace(ent, bijgewerkt="2026-11-30T12:00:00.0000000",
                               fields=[(k, fields_and_refs.get(k, v)) for k, v in ent.fields],
                               refs=[(k, fields_and_refs.get(k, v)) for k, v in ent.refs])


def audited(store, action):
    return store.conn.execute("SELECT target, metadata FROM audit_events WHERE action = %s ORDER BY id", (action,)).fetchall()


def test_a_bad_value_in_a_document_or_a_vote_affects_only_its_motion_which_heals_when_re_emitted(store, feed, clock):
    m = feed.corpus.motions[0]
    doc = entity(feed, "Document", m["document"])
    feed.add(changed(doc, huidigeDocumentVersie="not-a-guid"))
    voted = next(e.entity for e in feed.corpus.log if e.entity.category == "Stemming"
                 and dict(e.entity.fields).get("vergissing") == "false")
    feed.add(changed(voted, fractie="no-guid", fractieGrootte="veel"))
    out = sync(store, feed.url, clock)
    assert out["assembly"]["failed"] == 0 and out["problem"] is None
    assert store.conn.execute("SELECT count(*) FROM motions WHERE NOT deleted").fetchone()[0] == 12
    versie, body = store.conn.execute("SELECT document_versie_id, body_text FROM motions WHERE id = %s", (m["id"],)).fetchone()
    assert versie is None and body is None  # assembled without the bad reference
    problems = {(t, meta["field"], meta["value"]) for t, meta in audited(store, "bad_field")}
    assert problems == {(doc.id, "huidigeDocumentVersie", "not-a-guid"), (voted.id, "fractie", "no-guid"),
                        (voted.id, "fractieGrootte", "veel")}
    assert store.conn.execute("SELECT change_seq FROM stage_watermarks").fetchone()[0] == \
        store.conn.execute("SELECT max(change_seq) FROM raw_entities").fetchone()[0]  # the watermark moved
    feed.add(changed(doc))  # fixed at the source and re-emitted: the motion heals
    feed.add(changed(voted))
    sync(store, feed.url, clock)
    versie, body = store.conn.execute("SELECT document_versie_id::text, body_text FROM motions WHERE id = %s", (m["id"],)).fetchone()
    assert versie == m["versie"] and body


def test_a_seat_count_that_is_not_a_number_is_stored_as_unknown_and_heals_when_re_emitted(store, feed, clock):
    voted = next(e.entity for e in feed.corpus.log if e.entity.category == "Stemming"
                 and dict(e.entity.fields).get("vergissing") == "false" and dict(e.entity.fields).get("sidActorLid") is None)
    feed.add(changed(voted, fractieGrootte="veel"))
    sync(store, feed.url, clock)
    vote = dict(voted.fields)["soort"]
    row = store.conn.execute("SELECT vote, seats, voor, tegen FROM motion_votes WHERE fractie_id = %s AND motion_id = "
                             "(SELECT parents[1] FROM raw_entities WHERE category = 'Besluit' AND id = %s)",
                             (dict(voted.refs)["fractie"], dict(voted.refs)["besluit"])).fetchone()
    assert row == (vote, None, None if vote == "Voor" else 0, None if vote == "Tegen" else 0)  # unknown, not 0 seats
    assert [(t, meta["field"], meta["effect"]) for t, meta in audited(store, "bad_field")] == [
        (voted.id, "fractieGrootte", "assembled without this value")]
    feed.add(changed(voted))  # fixed at the source
    sync(store, feed.url, clock)
    assert store.conn.execute("SELECT count(*) FROM motion_votes WHERE seats IS NULL").fetchone()[0] == 0


def test_a_motion_that_cannot_be_assembled_is_audited_kept_aside_and_rebuilt_on_the_next_run(store, feed, clock, monkeypatch):
    from motion_ops import assemble

    victim = feed.corpus.motions[2]["id"]
    real = assemble.assemble_motion

    def fails_for_one(zaak, **kw):
        if zaak.id == victim:
            raise KeyError("something unforeseen")
        return real(zaak, **kw)

    monkeypatch.setattr(assemble, "assemble_motion", fails_for_one)
    out = sync(store, feed.url, clock)
    assert out["assembly"]["failed"] == 1 and out["assembly"]["written"] == 11
    assert [t for t, _ in audited(store, "motion_assembly_failed")] == [victim]
    assert store.conn.execute("SELECT zaak_id::text FROM assembly_failures").fetchall() == [(victim,)]
    monkeypatch.setattr(assemble, "assemble_motion", real)
    again = sync(store, feed.url, clock)  # nothing new in the feed, and still the motion is retried
    assert again["assembly"]["written"] == 1 and again["assembly"]["failed"] == 0
    assert store.conn.execute("SELECT count(*) FROM assembly_failures").fetchone()[0] == 0


def test_a_zaak_reclassified_away_from_motie_stops_being_a_motion(store, feed, clock):
    m = feed.corpus.motions[1]
    sync(store, feed.url, clock)
    feed.add(changed(entity(feed, "Zaak", m["id"]), soort="Wetgeving"))
    sync(store, feed.url, clock)
    assert store.conn.execute("SELECT deleted FROM motions WHERE id = %s", (m["id"],)).fetchone() == (True,)


def test_an_entity_in_a_page_of_another_category_is_stored_as_what_it_is_and_audited(store, feed, clock):
    m = feed.corpus.motions[3]
    stray = changed(entity(feed, "Document", m["document"]), onderwerp="verdwaald")
    feed.add(stray, page_category="Zaak")
    sync(store, feed.url, clock)
    assert store.conn.execute("SELECT category FROM raw_entities WHERE id = %s", (stray.id,)).fetchall() == [("Document",)]
    assert store.conn.execute("SELECT count(*) FROM motions").fetchone()[0] == 12  # no bogus motion
    (target, meta), = audited(store, "feed_category_mismatch")
    assert target == stray.id and (meta["page_category"], meta["element_category"]) == ("Zaak", "Document")


class CountingFeed(SavedFeed):
    """Saved pages that refuse to be read more than ``limit`` times (a loop is a failure, not a hang)."""

    def __init__(self, pages, limit=50):
        super().__init__(pages)
        self.reads, self.limit = 0, limit

    def feed_page_bytes(self, category, skiptoken=None):
        self.reads += 1
        if self.reads > self.limit:
            raise RuntimeError("the sync keeps reading the same pages")
        return super().feed_page_bytes(category, skiptoken)


def test_a_next_link_that_does_not_move_on_is_a_bad_page_not_a_loop(store):
    pages = {("Besluit", None): feed_page("Besluit", [besluit(1, 11)], 5),
             ("Besluit", 5): feed_page("Besluit", [besluit(2, 12)], 5)}  # "next" is the page itself
    source = CountingFeed(pages)
    out = sync_categories(store, source, ("Besluit",), max_pages=None, ctx=CTX)["Besluit"]
    assert "does not move on from 5" in out["error"] and source.reads <= 3
    assert [t for t, _ in audited(store, "feed_page_failed")] == ["Besluit@5"]


@pytest.mark.parametrize("bad_page,needle", [
    (feed_page("Besluit", [besluit(2, 12, when="gisteren om drie uur")], 6), "not a timestamp"),
    (feed_page("Besluit", [besluit(2, 12)], 2**64), f"next skiptoken {2**64} does not move on"),
])
def test_a_value_the_database_cannot_take_is_a_bad_page_and_the_other_categories_go_on(store, bad_page, needle):
    pages = {("Besluit", None): feed_page("Besluit", [besluit(1, 11)], 5), ("Besluit", 5): bad_page,
             ("Stemming", None): feed_page("Stemming", [], None)}
    out = sync_categories(store, SavedFeed(pages), ("Besluit", "Stemming"), max_pages=None, ctx=CTX)
    assert needle in out["Besluit"]["error"] and out["Stemming"]["caught_up"]
    assert store.conn.execute("SELECT skiptoken FROM feed_checkpoints WHERE category = 'Besluit'").fetchone()[0] == 5


def test_a_category_that_cannot_be_read_makes_the_sync_say_so_in_one_line(store, feed, clock):
    feed.faults.add(kind="status", status=500, match="category=Stemming", times=-1)
    out = sync(store, feed.url, clock)
    assert out["problem"].startswith("could not read the feed categories Stemming") and "clear sync_content" in out["problem"]
    assert store.conn.execute("SELECT count(*) FROM motions").fetchone()[0] == 12  # what the others brought is kept


def test_a_feed_with_nothing_at_all_on_a_first_sync_is_a_problem(store, clock):
    from devkit.standin.corpus import Corpus
    from devkit.standin.server import StandinServer

    with StandinServer(Corpus(motions=12)) as srv:
        srv._by_cat.clear()  # a server that answers every category with an empty, caught-up page
        out = sync(store, srv.url, clock)
    assert out["problem"] and "no entities at all on a first sync" in out["problem"]


def test_categories_read_in_parallel_store_exactly_what_a_sequential_read_stores(store, standin, clock, reference):
    client = FeedClient(standin.url, sleep=clock.sleep, policy=RetryPolicy(attempts=3), pool_size=8,
                        parallel_categories=4)
    out = sync_categories(store, client, sync_module.CATEGORIES, max_pages=None, ctx=CTX)
    assert all(s["caught_up"] for s in out.values())
    raw = dump(store)
    assert raw["raw"] == reference["raw"] and raw["checkpoints"] == reference["checkpoints"]


def test_in_parallel_one_failing_category_does_not_stop_the_others(store, feed, clock):
    feed.faults.add(kind="status", status=500, match="category=Stemming", times=-1)
    client = FeedClient(feed.url, sleep=clock.sleep, policy=RetryPolicy(attempts=2), pool_size=8, parallel_categories=4)
    out = sync_categories(store, client, sync_module.CATEGORIES, max_pages=None, ctx=CTX)
    assert out["Stemming"]["error"] and all(s["caught_up"] for c, s in out.items() if c != "Stemming")
    audited = store.conn.execute("SELECT count(*) FROM audit_events WHERE action = 'feed_page_failed'").fetchone()[0]
    assert audited == 1


def test_requests_to_the_host_keep_the_minimum_interval_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    client = FeedClient("http://127.0.0.1:9", min_interval=0.05)
    starts = []

    def paced(_):
        client._pace()
        starts.append(time.monotonic())

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(paced, range(12)))
    starts.sort()
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.045 and starts[-1] - starts[0] >= 11 * 0.045


# --- every spelling of the change time the feed uses ----------------------------------------------

AMSTERDAM = "Europe/Amsterdam"
SPELLINGS = [  # (offset, fractional digits); offset None: Amsterdam time without an offset, as the live feed
    (None, 7), ("+02:00", 7), ("Z", 0), ("+01:00", 7), (None, 0), ("Z", 7), ("+02:00", 0), (None, 3),
    ("Z", 1), ("+01:00", 2), ("+02:00", 4), ("Z", 5), (None, 6), ("-05:00", 7), ("+0100", 3)]


def spelled(instant, offset, digits):
    """``instant`` (UTC) written as the feed might, and the instant that spelling means (cut to microseconds)."""
    from zoneinfo import ZoneInfo

    if offset is None:
        wall = instant.astimezone(ZoneInfo(AMSTERDAM))
    elif offset == "Z":
        wall = instant
    else:
        sign, hours, minutes = offset[0], int(offset[1:3]), int(offset[-2:])
        delta = dt.timedelta(hours=hours, minutes=minutes) * (1 if sign == "+" else -1)
        wall = instant.astimezone(dt.timezone(delta))
    fraction = f"{instant.microsecond:06d}7"[:digits]  # a 7th digit, as the feed writes it
    text = wall.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + (offset or "")
    return text, instant.replace(microsecond=int(fraction.ljust(6, "0")[:6]) if digits else 0)


@pytest.mark.parametrize("prefix", ["ns1", ("ns1", "", "tk")], ids=["ns1-throughout", "prefixes-mixed"])
def test_every_iso_8601_spelling_of_bijgewerkt_is_synced_and_stored_as_one_utc_instant(store, clock, prefix):
    import dataclasses
    from zoneinfo import ZoneInfo

    from devkit.standin.corpus import Corpus
    from devkit.standin.server import StandinServer

    corpus = Corpus(motions=12)
    with StandinServer(corpus, page_size=40) as srv:  # the live spelling: no offset, seven digits
        sync(store, srv.url, clock)
    plain = dump(store)
    reset(store)
    expected = {}
    for i, entry in enumerate(corpus.log):  # every entity in another spelling of (about) the same moment
        ent = entry.entity
        moment = dt.datetime.fromisoformat(ent.bijgewerkt[:26]).replace(tzinfo=ZoneInfo(AMSTERDAM)).astimezone(dt.timezone.utc)
        text, instant = spelled(moment, *SPELLINGS[i % len(SPELLINGS)])
        entry.entity = dataclasses.replace(ent, bijgewerkt=text)
        if entry.generation == 1:
            expected[(ent.category, ent.id.lower())] = instant
    corpus.log[0].entity.bijgewerkt = "2023-10-27T10:46:51.0000000+02:00"  # the ns1 feed's own, verbatim
    expected[(corpus.log[0].entity.category, corpus.log[0].entity.id)] = dt.datetime(2023, 10, 27, 8, 46, 51, tzinfo=dt.timezone.utc)
    with StandinServer(corpus, page_size=40, prefix=prefix) as srv:
        out = sync(store, srv.url, clock)
    assert out["problem"] is None and all(s["caught_up"] and not s["error"] for s in out["categories"].values())
    assert audited(store, "feed_page_failed") == []
    stored = {(c, i): t for c, i, t in store.conn.execute("SELECT category, id::text, bijgewerkt FROM raw_entities")}
    assert stored == expected  # every entity, none rejected, each as the UTC instant its spelling means
    assert store.conn.execute("SELECT data_type FROM information_schema.columns WHERE table_name = 'raw_entities' "
                              "AND column_name = 'bijgewerkt'").fetchone()[0] == "timestamp with time zone"
    now = dump(store)
    assert (now["motions"], now["votes"], now["parents"], now["checkpoints"]) == \
        (plain["motions"], plain["votes"], plain["parents"], plain["checkpoints"])  # the same motions as before
