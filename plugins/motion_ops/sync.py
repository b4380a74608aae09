"""The ``sync_content`` stage: SyncFeed pages -> raw entities -> motions -> body texts.

Each category is read from its persisted skiptoken; a page's entities and the moved checkpoint
are committed in one transaction, so a crash re-reads at most one page and re-reading changes
nothing. Body texts are fetched concurrently (``max_body_workers`` threads sharing one pooled
session); a failure is audited and retried on a later run, up to ``body_max_failures`` runs per
document version.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import re
import select
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import msgspec
import psycopg
from psycopg import pq

from motion_ops import audit
from motion_ops.assemble import assemble_changed
from motion_ops.bodytext import UnsupportedContent, content_hash, extract_document_text, extract_publication_text
from motion_ops.feed import FeedClient, FeedCursor, FeedError, NotFound
from motion_ops.feedparse import FeedFormatError, FeedPage, parse_page
from motion_ops.store import Store, positional, sql

log = logging.getLogger(__name__)

# What assembling a motion needs, in an order that lets most references resolve on first sight.
CATEGORIES = ("Fractie", "Kamerstukdossier", "Zaak", "ZaakActor", "Document", "DocumentVersie", "Besluit", "Stemming")
# Per category, the one relation assembly joins on: its targets go to raw_entities.joined (GIN
# indexed). Every relation stays in raw_entities.data, so another can be used later without re-syncing.
JOINED_REF: dict[str, str] = {"Zaak": "kamerstukdossier", "ZaakActor": "zaak", "Document": "zaak",
                              "DocumentVersie": "document", "Besluit": "zaak", "Stemming": "besluit"}


@dataclass(frozen=True)
class SyncParams:
    """Knobs of one sync run (the DAG params of the same names)."""

    max_pages: int | None = None          # per category; None = until caught up
    max_body_workers: int = 10
    body_max_failures: int = 5
    max_bodies: int = 100_000             # bound on body fetches per run
    since: dt.date | None = None          # window for body fetching: started_on >= since
    until: dt.date | None = None          # ... and < until
    categories: tuple[str, ...] = CATEGORIES


_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def checked_page(page: FeedPage, *, where: str) -> FeedPage:
    """``page`` if every entity id and joined relation target is a GUID (the store's uuid columns).

    :raises FeedFormatError: naming the entity, so the page is handled like a malformed one
        (fetched again, then audited; the category stops before it and the next run retries it).
    """
    for e in page.entities:
        if not _GUID.fullmatch(e.id):
            raise FeedFormatError(f"{where}: {e.category} id {e.id!r} is not a GUID")
        rel = JOINED_REF.get(e.category)
        if rel:
            for target in e.refs.get(rel, ()):
                if not _GUID.fullmatch(target):
                    raise FeedFormatError(f"{where}: {e.category} {e.id} has {rel} ref {target!r}, not a GUID")
    return page


_JSON = msgspec.json.Encoder()


def page_json(page: FeedPage) -> bytes:
    """The page's entities as the JSON array ``merge_feed_page`` reads: ``[id, skiptoken, raw()]``
    (UTF-8 bytes).

    One row per id (the same entity twice in a page: the later emission wins). One encoding for
    the whole page, by msgspec's encoder (the same bytes as ``json.dumps`` with compact
    separators, in a quarter of the time: ~0.02 s against ~0.08 s for 20,000 entities), so
    PostgreSQL parses it once and compares each entity's data as jsonb.
    """
    latest = {e.id: e for e in page.entities}
    return _JSON.encode([[e.id, e.skiptoken, e.raw()] for e in latest.values()])


def page_params(category: str, page: FeedPage, checkpoint: int | None) -> dict[str, Any]:
    """Bound parameters of ``merge_feed_page`` for one page."""
    return {"category": category, "page": page_json(page), "checkpoint": checkpoint, "rel": JOINED_REF.get(category)}


# merge_feed_page's parameters and their PostgreSQL types (sent in text format)
_PAGE_PARAM_TYPES = {"category": 25, "page": 3802, "checkpoint": 20, "rel": 25}  # text, jsonb, int8, text


def _text_param(value: Any) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else str(int(value))).encode()


class PageWriter:
    """Commits parsed pages strictly in order on a connection of its own, one page in flight.

    :meth:`put` sends a page's statement and returns at once, so PostgreSQL works on page i while
    the caller parses page i+1 (two cores: Python on one, the server on the other, no second
    Python thread to share the GIL with). Each page is one statement (``merge_feed_page``, its
    own implicit transaction): its entities, joined relations and the moved checkpoint commit
    together or not at all, as soon as the server has written them. The next :meth:`put` (or
    :meth:`close`) first waits for the page before and raises its error, if any, before anything
    later is sent: a later checkpoint never passes a page that is not stored. ``changed`` counts
    changed entities per category.

    It speaks libpq's asynchronous protocol through ``psycopg.pq`` (a prepared statement, then per
    page one send and one result): psycopg's pipeline mode commits a page only at the Sync sent
    with the next page, which cost a round trip per page during which Python waited; measured
    ~0.04 s less per 20,000 entities. Like psycopg's own automatic preparing, the prepared
    statement needs a session-level connection (a transaction-pooling proxy before PgBouncer
    1.21 does not keep it).
    """

    _STATEMENT = b"motion_ops_merge_feed_page"

    def __init__(self, dsn: str, *, name: str = "feed-writer"):
        self.conn = psycopg.connect(dsn, autocommit=True, application_name=f"motion_ops {name}", connect_timeout=15)
        self.changed: dict[str, int] = {}
        self._in_flight: str | None = None  # the category of the page sent and not yet confirmed
        try:
            self._pg = pg = self.conn.pgconn
            query, self._names = positional(sql("merge_feed_page"))
            self._check(pg.prepare(self._STATEMENT, query.encode(), [_PAGE_PARAM_TYPES[n] for n in self._names]))
            self._poll = select.poll()  # not select(): an Airflow worker may hold more than 1024 files
            self._poll.register(pg.socket, select.POLLIN)
        except BaseException:
            self.conn.close()
            raise

    def put(self, params: dict[str, Any]) -> None:
        """Confirm the page before, then send this one (``merge_feed_page`` parameters)."""
        self.wait()
        self._pg.send_query_prepared(self._STATEMENT, [_text_param(params[n]) for n in self._names])
        self._in_flight = params["category"]

    def wait(self) -> None:
        """Until the page in flight is committed; raise its error."""
        if self._in_flight is None:
            return
        category, self._in_flight = self._in_flight, None
        pg = self._pg
        pg.consume_input()
        while pg.is_busy():  # the GIL is released while polling: the fetch thread runs meanwhile
            self._poll.poll()
            pg.consume_input()
        result = pg.get_result()
        while pg.get_result() is not None:  # the end of this statement's results
            pass
        self._check(result)
        self.changed[category] = self.changed.get(category, 0) + int(result.get_value(0, 0))

    def _check(self, result: Any) -> None:
        """Raise psycopg's exception for the result's SQLSTATE (as a psycopg cursor would) unless
        the command succeeded."""
        if result is not None and result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
            return
        message = (result.error_message if result is not None else self._pg.error_message).decode(errors="replace")
        sqlstate = result.error_field(pq.DiagnosticField.SQLSTATE) if result is not None else None
        error: type[Exception] = psycopg.OperationalError
        if sqlstate:
            try:
                error = psycopg.errors.lookup(sqlstate.decode())
            except KeyError:
                error = psycopg.DatabaseError
        raise error(message.strip())

    def close(self) -> None:
        """Confirm the last page and close the connection; raise a write error."""
        try:
            self.wait()
        finally:
            self.conn.close()


@contextlib.contextmanager
def _quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while feed pages are read.

    Parsing allocates hundreds of thousands of short-lived objects per page (element trees,
    entities, dicts: none in reference cycles, so reference counting frees them), which would
    trigger a young-generation collection every 700 allocations, and every full collection
    would also traverse everything the process already holds (an Airflow worker holds a lot).
    Measured: the parse-and-prepare loop takes 14 % less time. What the process held before is
    parked in the permanent generation; collection resumes afterwards as it was.
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


def _read_page(body: Callable[[], bytes], client: FeedClient | None, category: str, before: int | None) -> FeedPage:
    """Parse and check the page after ``before`` (see :func:`checked_page`).

    A page that fails (cut off, garbled, an id that is not a GUID) is fetched again through
    :meth:`FeedClient.feed_page`, whose retries treat it like a broken connection.

    :raises FeedError: the page could not be read (without a client: at the first failure).
    """
    where = f"{category} page after skiptoken {before}"
    try:
        return checked_page(parse_page(body(), where=where), where=where)
    except FeedFormatError as exc:
        if client is None:
            raise FeedError(str(exc), url=f"{category}@{before}") from exc
        log.warning("%s; fetching it again", exc)
    try:
        return checked_page(client.feed_page(category, before), where=where)
    except FeedFormatError as exc:
        raise FeedError(str(exc), url=f"{category}@{before}") from exc


def sync_categories(store: Store, client: FeedClient | None, categories: Iterable[str], *, max_pages: int | None,
                    ctx: audit.RunContext, fetch: Callable[[str, int | None], bytes] | None = None) -> dict[str, dict[str, Any]]:
    """Read each category from its checkpoint until caught up (or ``max_pages`` pages each).

    Three things overlap: a thread fetches the next page's bytes, the caller parses this page,
    and PostgreSQL writes the page before it (one :class:`PageWriter` for all categories; each
    page commits with its checkpoint, strictly in order). A page that cannot be read (see
    :func:`_read_page`) is audited and its category stops there (the next run resumes at it)
    while the others go on; a failed write stops everything (raised). ``fetch`` replaces
    ``client.feed_page_bytes``, e.g. with saved pages in ``bench/sync.py``: the same loop without
    HTTP. Returns per category: pages, entities, changed, caught_up, error.
    """
    fetch_bytes = fetch or client.feed_page_bytes
    cps = {r["category"]: r["skiptoken"] for r in store.fetch("select_checkpoints")}
    out: dict[str, dict[str, Any]] = {}
    checkpoints: dict[str, int | None] = {}
    with contextlib.ExitStack() as stack:
        stack.enter_context(_quiet_gc())
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-fetch"))
        writer = PageWriter(store.dsn)
        stack.callback(writer.close)  # on the way out: everything parsed so far is written
        for category in categories:
            cursor = FeedCursor(category, cps.get(category))
            stats = out[category] = {"pages": 0, "entities": 0, "changed": 0, "caught_up": False, "error": None}
            pending = pool.submit(fetch_bytes, category, cursor.skiptoken)
            while True:
                before = cursor.skiptoken
                try:
                    page = _read_page(pending.result, client, category, before)
                except FeedError as exc:
                    stats["error"] = str(exc)
                    with store.transaction() as cur:
                        audit.record(cur, "feed_page_failed", f"{category}@{before}", {
                            "category": category, "skiptoken": before, "url": exc.url, "status": exc.status,
                            "attempts": exc.attempts, "error": str(exc)}, ctx)
                    break
                cursor.update_state(page)
                stats["pages"] += 1
                more = cursor.has_next_page and (max_pages is None or stats["pages"] < max_pages)
                if more:
                    pending = pool.submit(fetch_bytes, category, cursor.skiptoken)
                if page.entities:
                    writer.put(page_params(category, page, cursor.skiptoken))
                    stats["entities"] += len(page.entities)
                if not more:
                    break
            stats["caught_up"] = cursor.done and stats["error"] is None
            checkpoints[category] = cursor.skiptoken
    for category, stats in out.items():  # every page is committed now
        stats["changed"] = writer.changed.get(category, 0)
        log.info("sync %s: %d pages, %d entities (%d changed), checkpoint %s%s", category, stats["pages"],
                 stats["entities"], stats["changed"], checkpoints[category], "" if stats["caught_up"] else " (more to read)")
    return out


def sync_category(store: Store, client: FeedClient | None, category: str, *, max_pages: int | None,
                  ctx: audit.RunContext, fetch: Callable[[str, int | None], bytes] | None = None) -> dict[str, Any]:
    """:func:`sync_categories` for one category."""
    return sync_categories(store, client, [category], max_pages=max_pages, ctx=ctx, fetch=fetch)[category]


def fetch_body(client: FeedClient, motion: dict[str, Any]) -> tuple[str, str]:
    """Text of one motion: its publication XML, else the document file. Returns (text, source)."""
    pubs = client.publications(motion["versie_id"])
    xml_pubs = [p for p in pubs if not p.get("Verwijderd") and (
        (p.get("DocumentType") or "").lower() == "xml" or "xml" in (p.get("ContentType") or ""))]
    if xml_pubs:
        res = client.publication_resource(xml_pubs[0]["Id"])
        try:
            return extract_publication_text(res.content, where=res.url), "publication"
        except FeedFormatError as exc:
            raise UnsupportedContent(str(exc)) from exc
    res = client.document_resource(motion["document_id"])
    return extract_document_text(res.content, res.content_type, where=res.url), "document"


def fetch_bodies(store: Store, client: FeedClient, params: SyncParams, ctx: audit.RunContext) -> dict[str, int]:
    """Fetch missing or stale body texts concurrently; audit what fails for good."""
    todo = store.fetch("select_motions_needing_body", {"max_failures": params.body_max_failures,
                                                       "since": params.since, "until": params.until,
                                                       "limit": params.max_bodies})
    counts = {"candidates": len(todo), "fetched": 0, "not_published": 0, "failed": 0}
    if not todo:
        return counts

    def work(m: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        try:
            return m, fetch_body(client, m)
        except (FeedError, UnsupportedContent) as exc:
            return m, exc

    with ThreadPoolExecutor(max_workers=params.max_body_workers, thread_name_prefix="body") as pool:
        results = list(pool.map(work, todo))
    with store.transaction() as cur:  # one transaction: bodies and failure bookkeeping together
        for m, result in results:
            if isinstance(result, tuple):
                text, source = result
                cur.execute(sql("update_motion_body"), {"id": m["id"], "body_text": text, "content_hash": content_hash(text),
                                                        "body_source": source, "versie_id": m["versie_id"]})
                cur.execute(sql("delete_body_fetch_state"), {"id": m["id"]})
                counts["fetched"] += 1
                continue
            status = getattr(result, "status", None)
            not_yet = isinstance(result, NotFound)
            counts["not_published" if not_yet else "failed"] += 1
            cur.execute(sql("upsert_body_fetch_state"), {
                "id": m["id"], "versie_id": m["versie_id"], "increment": 0 if not_yet else 1,
                "status": str(status or type(result).__name__), "error": str(result)[:2000]})
            if not not_yet:
                audit.record(cur, "body_fetch_failed", m["id"], {
                    "motion": m["id"], "url": getattr(result, "url", None), "status": status,
                    "attempts": getattr(result, "attempts", 1), "error": str(result)[:500],
                    "failures_before": m["failures"]}, ctx)
    log.info("bodies: %(candidates)d candidates, %(fetched)d fetched, %(not_published)d not yet published, "
             "%(failed)d failed", counts)
    return counts


def run_sync(store: Store, client: FeedClient, params: SyncParams, ctx: audit.RunContext) -> dict[str, Any]:
    """The whole stage: every category, then assembly, then bodies. Returns a small summary."""
    categories = sync_categories(store, client, params.categories, max_pages=params.max_pages, ctx=ctx)
    assembled = assemble_changed(store)
    bodies = fetch_bodies(store, client, params, ctx)
    return {"categories": categories, "assembly": assembled, "bodies": bodies}
