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
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from motion_ops import audit
from motion_ops.assemble import assemble_changed
from motion_ops.bodytext import UnsupportedContent, content_hash, extract_document_text, extract_publication_text
from motion_ops.feed import FeedClient, FeedCursor, FeedError, NotFound
from motion_ops.feedparse import FeedEntity, FeedFormatError, FeedPage, parse_page
from motion_ops.store import Store, sql

log = logging.getLogger(__name__)

# What assembling a motion needs, in an order that lets most references resolve on first sight.
CATEGORIES = ("Fractie", "Kamerstukdossier", "Zaak", "ZaakActor", "Document", "DocumentVersie", "Besluit", "Stemming")
# The relations assembly joins on (entity_refs); every relation stays in raw_entities.data, so
# another one can be indexed later without re-syncing.
JOINED_REFS = frozenset({("Zaak", "kamerstukdossier"), ("ZaakActor", "zaak"), ("Document", "zaak"),
                         ("DocumentVersie", "document"), ("Besluit", "zaak"), ("Stemming", "besluit")})


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


def _copy_text(value: Any) -> str:
    if value is None:
        return r"\N"
    s = value if isinstance(value, str) else str(value)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _bijgewerkt(value: str | None) -> str | None:
    # "2019-07-15T11:02:54.8200000": Amsterdam local time, 7 fractional digits; keep microseconds
    if not value:
        return None
    date, _, frac = value.partition(".")
    return f"{date}.{frac[:6]}" if frac else date


def store_page(store: Store, category: str, page: FeedPage, checkpoint: int | None) -> dict[str, int]:
    """Upsert a page's entities and move the category checkpoint, in one transaction."""
    latest: dict[str, FeedEntity] = {}
    for e in page.entities:  # the same entity twice in a page: the later emission wins
        latest[e.id] = e
    raw, refs = [], []
    for e in latest.values():
        doc = e.raw_json()  # JSON never holds a raw tab or newline: only its backslashes need escaping for COPY
        raw.append(f"{e.category}\t{_copy_text(e.id)}\t{_copy_text(_bijgewerkt(e.bijgewerkt))}\t{'t' if e.deleted else 'f'}\t"
                   f"{hashlib.sha256(doc.encode()).hexdigest()}\t{doc.replace(chr(92), chr(92) * 2)}\t"
                   f"{_copy_text(e.skiptoken)}\n")
        for rel, targets in e.refs.items():
            if (e.category, rel) not in JOINED_REFS:
                continue
            for t in targets:
                refs.append(f"{e.category}\t{_copy_text(e.id)}\t{rel}\t{_copy_text(t.lower())}\n")
    with store.transaction() as cur:
        cur.execute(sql("set_async_commit"))
        cur.execute(sql("create_stage_tables"))
        with cur.copy(sql("copy_stage_raw")) as cp:
            cp.write("".join(raw))
        if refs:
            with cur.copy(sql("copy_stage_refs")) as cp:
                cp.write("".join(refs))
        cur.execute(sql("merge_raw_entities"), {"skiptoken": checkpoint or 0})
        merged = cur.fetchall()
        live = [r["id"] for r in merged if not r["deleted"]]
        replaced = [r["id"] for r in merged if not r["deleted"] and not r["inserted"]]
        if replaced:  # ids as an array: the primary-key index is used, not a scan per page
            cur.execute(sql("delete_changed_refs"), {"category": category, "ids": replaced})
        if refs and live:
            if len(live) == len(latest):  # every entity changed (a first sync): no filter needed
                cur.execute(sql("insert_staged_refs"))
            else:
                cur.execute(sql("insert_changed_refs"), {"ids": live})
        if checkpoint is not None:
            cur.execute(sql("upsert_checkpoint"), {"category": category, "skiptoken": checkpoint})
    return {"entities": len(page.entities), "changed": len(merged)}


def sync_category(store: Store, client: FeedClient | None, category: str, *, max_pages: int | None,
                  ctx: audit.RunContext, fetch: Callable[[str, int | None], bytes] | None = None) -> dict[str, Any]:
    """Read one category from its checkpoint until caught up (or ``max_pages``).

    The next page's bytes are fetched in a thread while this one is parsed and written (the
    network wait overlaps the work; on two cores a second thread parsing would only fight the
    writer and PostgreSQL for them). A page that fails to parse is fetched again through
    :meth:`FeedClient.feed_page`, whose retries treat it like a broken connection. ``fetch``
    replaces ``client.feed_page_bytes``, e.g. with saved pages in ``bench/sync.py``: the same loop
    without HTTP. Pages are committed strictly in order, each with its checkpoint.
    """
    fetch_bytes = fetch or client.feed_page_bytes
    cps = {r["category"]: r["skiptoken"] for r in store.fetch("select_checkpoints")}
    cursor = FeedCursor(category, cps.get(category))
    stats = {"pages": 0, "entities": 0, "changed": 0, "caught_up": False, "error": None}

    def failed(exc: FeedError, skiptoken: int | None) -> None:
        stats["error"] = str(exc)
        with store.transaction() as cur:
            audit.record(cur, "feed_page_failed", f"{category}@{skiptoken}", {
                "category": category, "skiptoken": skiptoken, "url": exc.url, "status": exc.status,
                "attempts": exc.attempts, "error": str(exc)}, ctx)

    # parsing allocates hundreds of thousands of short-lived objects per page, and every full
    # garbage collection would also traverse everything the process already holds (an Airflow
    # worker holds a lot): park those in the permanent generation while the feed is read
    gc.collect()
    gc.freeze()
    with contextlib.ExitStack() as stack:
        stack.callback(gc.unfreeze)
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"feed-{category}"))
        pending = pool.submit(fetch_bytes, category, cursor.skiptoken)
        while True:
            before = cursor.skiptoken
            try:
                body = pending.result()
                try:
                    page = parse_page(body, where=f"{category} page after skiptoken {before}")
                except FeedFormatError as exc:
                    if client is None:
                        raise FeedError(str(exc), url=f"{category}@{before}") from exc
                    log.warning("%s; fetching it again", exc)
                    page = client.feed_page(category, before)
            except FeedError as exc:
                failed(exc, before)
                break
            cursor.update_state(page)
            stats["pages"] += 1
            more = cursor.has_next_page and (max_pages is None or stats["pages"] < max_pages)
            if more:
                pending = pool.submit(fetch_bytes, category, cursor.skiptoken)
            if page.entities:
                got = store_page(store, category, page, cursor.skiptoken)
                stats["entities"] += got["entities"]
                stats["changed"] += got["changed"]
            if not more:
                break
    stats["caught_up"] = cursor.done and stats["error"] is None
    log.info("sync %s: %d pages, %d entities (%d changed), checkpoint %s%s", category, stats["pages"],
             stats["entities"], stats["changed"], cursor.skiptoken, "" if stats["caught_up"] else " (more to read)")
    return stats


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
    categories = {c: sync_category(store, client, c, max_pages=params.max_pages, ctx=ctx) for c in params.categories}
    assembled = assemble_changed(store)
    bodies = fetch_bodies(store, client, params, ctx)
    return {"categories": categories, "assembly": assembled, "bodies": bodies}
