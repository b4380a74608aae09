"""Body texts of the motions: fetched concurrently (threads sharing one pooled session) from the
publication XML, else the document file. A failure is audited and retried on a later run, up to
``max_failures`` runs per document version; a 404 (not published yet) costs nothing."""
from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg

from motion_ops.clients.feed import FeedClient, FeedError, NotFound
from motion_ops.parsers.bodytext import UnsupportedContent, clean_text, content_hash, extract_document_text, extract_publication
from motion_ops.run import RunContext
from motion_ops.store import audit
from motion_ops.store.db import Store, sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BodyParams:
    """Knobs of one run's body fetching (DAG params ``max_body_workers``, ``body_max_failures``, ``since``/``until``)."""

    workers: int = 10
    max_failures: int = 5
    max_bodies: int = 100_000             # bound on body fetches per run
    since: dt.date | None = None          # window: started_on >= since
    until: dt.date | None = None          # ... and < until


@dataclass(frozen=True)
class Body:
    text: str
    source: str                      # publication | document
    dossier: str | None = None       # the publication's <dossiernr>
    kamerstuk: str | None = None     # ... and <ondernummer>: "19637-3384"


def fetch_body(client: FeedClient, motion: dict[str, Any]) -> Body:
    """Text of one motion: its publication XML (with the dossier and number it names), else the document file."""
    pubs = client.publications(motion["versie_id"])
    xml_pubs = [p for p in pubs if not p.get("Verwijderd") and (
        (p.get("DocumentType") or "").lower() == "xml" or "xml" in (p.get("ContentType") or ""))]
    if xml_pubs:
        res = client.publication_resource(xml_pubs[0]["Id"])
        text, dossier, kamerstuk = extract_publication(res.content, where=res.url)
        return Body(text, "publication", dossier, kamerstuk)
    res = client.document_resource(motion["document_id"])
    return Body(extract_document_text(res.content, res.content_type, where=res.url), "document")


def _record_failure(cur: Any, m: dict[str, Any], result: Exception, ctx: RunContext) -> bool:
    """Count a failed body against its budget (a 404 costs nothing) and audit it; True if it failed."""
    status = getattr(result, "status", None)
    not_yet = isinstance(result, NotFound)
    error = str(result) if isinstance(result, (FeedError, UnsupportedContent)) else f"{type(result).__name__}: {result}"
    cur.execute(sql("upsert_body_fetch_state"), {
        "id": m["id"], "versie_id": m["versie_id"], "increment": 0 if not_yet else 1,
        "status": str(status or type(result).__name__), "error": error[:2000]})
    if not not_yet:
        audit.record(cur, "body_fetch_failed", m["id"], {
            "motion": m["id"], "url": getattr(result, "url", None), "status": status,
            "attempts": getattr(result, "attempts", 1), "error": error[:500], "failures_before": m["failures"]}, ctx)
    return not not_yet


def fetch_bodies(store: Store, client: FeedClient, params: BodyParams, ctx: RunContext,
                 *, chunk: int = 50) -> dict[str, int]:
    """Fetch missing or stale body texts concurrently; audit what fails, counted against its budget.

    Each body is isolated: whatever goes wrong with one (an HTTP error, an answer of another
    shape, a text the database cannot store) is that body's failure, and the others are stored.
    Results are written as they arrive, ``chunk`` bodies per transaction, each in a savepoint.

    :returns: counts ``candidates``, ``fetched``, ``not_published`` (404: try again later), ``failed``.
    """
    todo = store.fetch("select_motions_needing_body", {"max_failures": params.max_failures,
                                                       "since": params.since, "until": params.until,
                                                       "limit": params.max_bodies})
    counts = {"candidates": len(todo), "fetched": 0, "not_published": 0, "failed": 0}
    if not todo:
        return counts

    def work(m: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        try:
            return m, fetch_body(client, m)
        except Exception as exc:  # noqa: BLE001 - one body's failure, whatever it is, is only that body's
            return m, exc

    def write(cur: Any, m: dict[str, Any], result: Any) -> None:
        if isinstance(result, Body):
            text = clean_text(result.text)
            try:
                with cur.connection.transaction():  # a savepoint: a text the database refuses fails alone
                    cur.execute(sql("update_motion_body"), {"id": m["id"], "body_text": text,
                                                            "content_hash": content_hash(text),
                                                            "body_source": result.source, "versie_id": m["versie_id"],
                                                            "dossier": result.dossier, "kamerstuk": result.kamerstuk})
                    cur.execute(sql("delete_body_fetch_state"), {"id": m["id"]})
                counts["fetched"] += 1
                return
            except psycopg.DataError as exc:
                result = UnsupportedContent(f"the store refused the text of motion {m['id']}: {exc}")
        counts["failed" if _record_failure(cur, m, result, ctx) else "not_published"] += 1

    with ThreadPoolExecutor(max_workers=params.workers, thread_name_prefix="body") as pool:
        results = pool.map(work, todo)  # in order, as they complete
        for start in range(0, len(todo), chunk):
            with store.transaction() as cur:  # bounded: a crash keeps every chunk written before it
                for _ in range(min(chunk, len(todo) - start)):
                    write(cur, *next(results))
    log.info("bodies: %(candidates)d candidates, %(fetched)d fetched, %(not_published)d not yet published, "
             "%(failed)d failed", counts)
    return counts
