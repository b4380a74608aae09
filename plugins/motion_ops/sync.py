"""The ``sync_content`` stage: SyncFeed pages -> raw entities, then motions and their body texts.

Each category is read from its persisted skiptoken; a page's entities and the moved checkpoint
are committed in one statement (:class:`~motion_ops.store.pagewriter.PageWriter`), so a crash
re-reads at most one page and re-reading changes nothing. Then the motions touched are
assembled (:mod:`motion_ops.assemble`) and missing body texts fetched (:mod:`motion_ops.bodies`).
"""
from __future__ import annotations

import contextlib
import gc
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Iterable, Iterator, Protocol

import msgspec

from motion_ops.assemble import assemble_changed
from motion_ops.bodies import BodyParams, fetch_bodies
from motion_ops.clients.feed import FeedClient, FeedCursor, FeedError
from motion_ops.parsers.feedpage import FeedFormatError, FeedPage, is_guid, parse_page
from motion_ops.parsers.feedtime import feed_time
from motion_ops.run import RunContext
from motion_ops.store import audit
from motion_ops.store.db import Store
from motion_ops.store.pagewriter import PageRejected, PageWriter

log = logging.getLogger(__name__)

# What assembling a motion needs, in an order that lets most references resolve on first sight.
CATEGORIES = ("Fractie", "Kamerstukdossier", "Zaak", "ZaakActor", "Document", "DocumentVersie", "Besluit", "Stemming")
# Each category's parent pointer: the one relation that leads from an entity towards its motion
# (a Stemming to its Besluit, a Besluit to its Zaak, ...; a Zaak to its Kamerstukdossier). Its
# targets go to raw_entities.parents (GIN indexed), which assembly and select_dirty_motions walk.
# Every relation stays in raw_entities.data, so another can be used later without re-syncing.
PARENT_REF: dict[str, str] = {"Zaak": "kamerstukdossier", "ZaakActor": "zaak", "Document": "zaak",
                              "DocumentVersie": "document", "Besluit": "zaak", "Stemming": "besluit"}


class FeedSource(Protocol):
    """What the sync reads pages from (:class:`~motion_ops.clients.feed.FeedClient`; saved pages in the bench)."""

    def feed_page_bytes(self, category: str, skiptoken: int | None = None) -> bytes: ...

    def feed_page(self, category: str, skiptoken: int | None = None) -> FeedPage: ...


MAX_SKIPTOKEN = 2**63 - 1  # the store's bigint


def checked_page(page: FeedPage, *, where: str, before: int | None = None) -> FeedPage:
    """``page`` if the store can take every value the page statement writes, and it moves on.

    Checked: entity ids and parent pointers are GUIDs, ``bijgewerkt`` is a timestamp (any spelling
    :func:`~motion_ops.parsers.feedtime.feed_time` takes), skiptokens fit a bigint, and the next
    skiptoken (and each entity's) lies after ``before``.

    :raises FeedFormatError: naming the entity, so the page is handled like a malformed one
        (fetched again, then audited; the category stops before it and the next run retries it).
    """
    if page.next_skiptoken is not None and not (before or 0) < page.next_skiptoken <= MAX_SKIPTOKEN:
        raise FeedFormatError(f"{where}: next skiptoken {page.next_skiptoken} does not move on from {before}")
    for e in page.entities:
        if not is_guid(e.id):
            raise FeedFormatError(f"{where}: {e.category} id {e.id!r} is not a GUID")
        if e.skiptoken is not None and not (before or 0) < e.skiptoken <= MAX_SKIPTOKEN:
            raise FeedFormatError(f"{where}: {e.category} {e.id} has skiptoken {e.skiptoken}, not after {before}")
        if e.bijgewerkt is not None:
            try:
                feed_time(e.bijgewerkt)
            except ValueError:
                raise FeedFormatError(f"{where}: {e.category} {e.id} has bijgewerkt {e.bijgewerkt[:40]!r}, "
                                      f"not a timestamp") from None
        rel = PARENT_REF.get(e.category)
        if rel:
            for target in e.refs.get(rel, ()):
                if not is_guid(target):
                    raise FeedFormatError(f"{where}: {e.category} {e.id} has {rel} ref {target!r}, not a GUID")
    return page


_JSON = msgspec.json.Encoder()  # the same bytes as json.dumps with compact separators, faster


def page_json(page: FeedPage) -> bytes:
    """The page's entities as the JSON array ``merge_feed_page`` reads, one row per id (the same
    entity twice in a page: the later emission wins): ``[id, skiptoken, raw(), category, rel, changed]``,
    with the entity's own category (its element decides), parent pointer, and change time with the
    offset it means (:func:`~motion_ops.parsers.feedtime.feed_time`; ``raw()`` keeps the feed's own spelling)."""
    latest = {e.id: e for e in page.entities}
    return _JSON.encode([[e.id, e.skiptoken, e.raw(), e.category, PARENT_REF.get(e.category),
                          None if e.bijgewerkt is None else feed_time(e.bijgewerkt)]
                         for e in latest.values()])


def page_params(category: str, page: FeedPage, checkpoint: int | None) -> dict[str, Any]:
    """Bound parameters of ``merge_feed_page`` for one page of ``category``."""
    return {"category": category, "page": page_json(page), "checkpoint": checkpoint}


@contextlib.contextmanager
def _quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while feed pages are read; afterwards as it was.

    Parsing makes many short-lived objects and no reference cycles, so collections would only
    cost time (and traverse everything the worker already holds, which is parked meanwhile).
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


def _read_page(body: Future, source: FeedSource, category: str, before: int | None) -> FeedPage:
    """Parse and check the page after ``before`` (see :func:`checked_page`).

    A page that fails (cut off, garbled, an id that is not a GUID) is fetched again through
    :meth:`FeedSource.feed_page`, whose retries treat it like a broken connection.

    :raises FeedError: the page could not be read.
    """
    where = f"{category} page after skiptoken {before}"
    try:
        return checked_page(parse_page(body.result(), where=where), where=where, before=before)
    except FeedFormatError as exc:
        log.warning("%s; fetching it again", exc)
    try:
        return checked_page(source.feed_page(category, before), where=where, before=before)
    except FeedFormatError as exc:
        raise FeedError(str(exc), url=f"{category}@{before}") from exc


def _audit_page(store: Store, category: str, before: int | None, exc: Exception, ctx: RunContext) -> str:
    with store.transaction() as cur:
        audit.record(cur, "feed_page_failed", f"{category}@{before}", {
            "category": category, "skiptoken": before, "url": getattr(exc, "url", None),
            "status": getattr(exc, "status", None), "attempts": getattr(exc, "attempts", 1), "error": str(exc)}, ctx)
    return str(exc)


def _audit_strays(store: Store, category: str, page: FeedPage, ctx: RunContext) -> None:
    """Entities whose own element says another category than the page's: stored under their own
    category (the element decides), and audited."""
    strays = [e for e in page.entities if e.category != category]
    if strays:
        with store.transaction() as cur:
            for e in strays:
                audit.record(cur, "feed_category_mismatch", e.id, {
                    "entity": e.id, "page_category": category, "element_category": e.category,
                    "effect": f"stored as {e.category}"}, ctx)


def sync_categories(store: Store, source: FeedSource, categories: Iterable[str], *, max_pages: int | None,
                    ctx: RunContext, parallel: int | None = None) -> dict[str, dict[str, Any]]:
    """Read each category from its checkpoint until caught up (or ``max_pages`` pages each).

    Categories are independent: up to ``parallel`` (default: the source's ``parallel_categories``)
    are read at once, each by a thread of its own; within a category the skiptoken chain is
    sequential. In each, three things overlap: a thread fetches the next page's bytes, the
    category's thread parses this page, and its page writer (a connection of its own) writes the
    page before it; each page commits with its checkpoint, strictly in order. A page that cannot be
    read or stored is audited (``feed_page_failed``) and its category stops there (the next run
    resumes at it) while the others go on; any other failed write stops everything (raised).
    The source keeps the requests to one host apart (``min_request_interval``).

    :returns: per category: pages, entities, changed, caught_up, error.
    """
    cps = {r["category"]: r["skiptoken"] for r in store.fetch("select_checkpoints")}
    categories = list(categories)
    parallel = max(1, min(parallel or getattr(source, "parallel_categories", 1), len(categories) or 1))
    out: dict[str, dict[str, Any]] = {}
    with contextlib.ExitStack() as stack:
        stack.enter_context(_quiet_gc())
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="feed-category"))
        futures = {c: pool.submit(_sync_category, store.dsn, source, c, cps.get(c), max_pages, ctx) for c in categories}
        for category, future in futures.items():
            out[category] = future.result()  # an unexpected error of any category is raised here
    for category, stats in out.items():  # every page is committed now
        checkpoint = stats.pop("checkpoint")
        log.info("sync %s: %d pages, %d entities (%d changed), checkpoint %s%s", category, stats["pages"],
                 stats["entities"], stats["changed"], checkpoint,
                 f"; FAILED: {stats['error']}" if stats["error"] else "" if stats["caught_up"] else " (more to read)")
    return out


def _sync_category(dsn: str, source: FeedSource, category: str, skiptoken: int | None, max_pages: int | None,
                   ctx: RunContext) -> dict[str, Any]:
    """One category's pages, in its own thread with its own connections (see :func:`sync_categories`)."""
    cursor = FeedCursor(category, skiptoken)
    stats: dict[str, Any] = {"pages": 0, "entities": 0, "changed": 0, "caught_up": False, "error": None}
    with contextlib.ExitStack() as stack:
        fetcher = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"feed-fetch-{category}"))
        audits = stack.enter_context(Store(dsn, application_name="motion_ops_sync"))
        writer = PageWriter(dsn)
        stack.callback(writer.close)  # on the way out: everything parsed so far is written
        pending = fetcher.submit(source.feed_page_bytes, category, cursor.skiptoken)
        in_flight: int | None = None  # the skiptoken before the page the writer has not confirmed
        try:
            while True:
                before = cursor.skiptoken
                try:
                    page = _read_page(pending, source, category, before)
                except FeedError as exc:
                    stats["error"] = _audit_page(audits, category, before, exc, ctx)
                    break
                cursor.update_state(page)
                stats["pages"] += 1
                more = cursor.has_next_page and (max_pages is None or stats["pages"] < max_pages)
                if more:
                    pending = fetcher.submit(source.feed_page_bytes, category, cursor.skiptoken)
                if page.entities:
                    _audit_strays(audits, category, page, ctx)
                    writer.put(page_params(category, page, cursor.skiptoken))  # confirms the page before
                    in_flight = before
                    stats["entities"] += len(page.entities)
                if not more:
                    break
            writer.wait()  # the category's last page: a rejection is still this category's
        except PageRejected as exc:
            stats["error"] = _audit_page(audits, category, in_flight, exc, ctx)
        stats["caught_up"] = cursor.done and stats["error"] is None
    stats["changed"] = sum(writer.changed.values())  # closed: every page of the category is committed
    stats["checkpoint"] = cursor.skiptoken
    return stats


def run_sync(store: Store, client: FeedClient, *, max_pages: int | None, bodies: BodyParams, ctx: RunContext,
             categories: Iterable[str] = CATEGORIES) -> dict[str, Any]:
    """The whole stage: every category, then assembly, then bodies. Returns a small summary."""
    first_sync = not store.fetch("select_checkpoints")
    synced = sync_categories(store, client, categories, max_pages=max_pages, ctx=ctx)
    assembled = assemble_changed(store, ctx=ctx)
    fetched = fetch_bodies(store, client, bodies, ctx)
    failed = sorted(c for c, s in synced.items() if s["error"])
    problem = None
    if failed:
        problem = (f"could not read the feed categories {', '.join(failed)} (audit action 'feed_page_failed'); what the "
                   f"others brought is stored, but similarity is not republished until every category reads cleanly. "
                   f"Check the motion_feed connection and the API's status, then clear sync_content")
    elif first_sync and not any(s["entities"] for s in synced.values()):
        problem = ("the feed returned no entities at all on a first sync: is motion_feed pointing at the Tweede Kamer "
                   "API? Fix the connection, then clear sync_content")
    return {"categories": synced, "assembly": assembled, "bodies": fetched, "problem": problem}

