"""Body texts of the motions: fetched concurrently (threads sharing one pooled session) from the
publication XML, else the document file. A failure is audited and retried on a later run, up to
``max_failures`` runs per document version; a 404 (not published yet) costs nothing."""
from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from motion_ops.clients.feed import FeedClient, FeedError, NotFound
from motion_ops.parsers.bodytext import UnsupportedContent, content_hash, extract_document_text, extract_publication_text
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


def fetch_body(client: FeedClient, motion: dict[str, Any]) -> tuple[str, str]:
    """Text of one motion: its publication XML, else the document file. Returns (text, source)."""
    pubs = client.publications(motion["versie_id"])
    xml_pubs = [p for p in pubs if not p.get("Verwijderd") and (
        (p.get("DocumentType") or "").lower() == "xml" or "xml" in (p.get("ContentType") or ""))]
    if xml_pubs:
        res = client.publication_resource(xml_pubs[0]["Id"])
        return extract_publication_text(res.content, where=res.url), "publication"
    res = client.document_resource(motion["document_id"])
    return extract_document_text(res.content, res.content_type, where=res.url), "document"


def fetch_bodies(store: Store, client: FeedClient, params: BodyParams, ctx: RunContext) -> dict[str, int]:
    """Fetch missing or stale body texts concurrently; audit what fails for good.

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
        except (FeedError, UnsupportedContent) as exc:
            return m, exc

    with ThreadPoolExecutor(max_workers=params.workers, thread_name_prefix="body") as pool:
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
