"""Atom 1.0 feeds (RFC 4287) to follow anything: any search (the same parameters and the same search as
``/api/motions`` and the landing page, so a dossier's or a party's motions are a search's feed) and
"moties zoals deze" (the motions closest in meaning to a motion's own vector in the published
model). Each entry is a motion: its id ``urn:uuid:<Zaak id>`` (the same in every feed and on every
host), ``updated`` the store's change time (UTC), a link to its page (absolute, from the request);
newest first. Answers carry ``ETag`` and ``Last-Modified`` and a conditional request gets 304.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from motion_ops.parsers.names import dutch_name
from motion_ops.parsers.substance import requests, submitters
from motion_ops.serve import reads
from motion_ops.serve.api import client_address, meaning
from motion_ops.serve.errors import Unavailable
from motion_ops.serve.headers import conditional
from motion_ops.serve.params import Key, Search, search_params
from motion_ops.serve.routes import FEED_LIKE, FEED_SEARCH, site_url

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50  # entries a feed lists
DEPTH = 100  # how far down a ranked search (words or meaning) a feed looks, then newest first
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)  # a feed without entries (deterministic: one ETag)
RIGHTS = "Bron: open data van de Tweede Kamer (CC0)"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # no XML 1.0 document holds these

ET.register_namespace("", ATOM)


def search_feed_path(search: Search) -> str:
    """The path and query of a search's feed (blank parameters and the cursor left out)."""
    f = search.filters
    args = {"q": search.q, "mode": search.mode, "party": f.party, "vote": f.vote, "outcome": f.outcome,
            "dossier": f.dossier, "since": f.since, "until": f.until}
    query = urlencode({k: str(v) for k, v in args.items() if v})
    return FEED_SEARCH + (f"?{query}" if query else "")


def like_feed_path(motion_id: str) -> str:
    return FEED_LIKE.replace("{key}", motion_id)


def describe(search: Search) -> str:
    """What a search's feed follows, in Dutch."""
    f, parts = search.filters, []
    if search.q:
        parts.append(f"met “{search.q}”")
    if f.party:
        parts.append(f"waarover {f.party} {'voor' if f.vote == 'voor' else 'tegen' if f.vote == 'tegen' else ''} stemde"
                     .replace("  ", " "))
    if f.outcome:
        parts.append(f.outcome)
    if f.dossier:
        parts.append(f"uit dossier {f.dossier}")
    if f.since:
        parts.append(f"vanaf {f.since:%d-%m-%Y}")
    if f.until:
        parts.append(f"tot {f.until:%d-%m-%Y}")
    return "Moties " + ", ".join(parts) if parts else "Nieuwe moties"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, text: str | None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _NOT_XML.sub("", v) for k, v in attrs.items()})
    if text is not None:
        el.text = _NOT_XML.sub("", text)
    return el


def _summary(m: dict[str, Any]) -> str:
    head = " · ".join(x for x in (m["nummer"], m["started_on"].strftime("%d-%m-%Y") if m["started_on"] else None,
                                  f"dossier {m['dossier']}" if m["dossier"] else None, m["outcome"]) if x)
    return "\n".join([head, *requests(m["body_text"] or "")[:3]])


def atom(*, feed_id: str, title: str, subtitle: str | None, self_url: str, page_url: str, base_url: str,
         entries: list[dict[str, Any]], changed: dt.datetime | None = None) -> tuple[bytes, dt.datetime]:
    """The feed's document and its ``updated``: the newest entry's change time, or ``changed`` (when the
    store last changed, :class:`LastChange`) when that is later; the epoch without either."""
    updated = max([e["updated_at"] for e in entries] + [changed or EPOCH])
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "nl"})
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    if subtitle:
        _text(feed, "subtitle", subtitle)
    _text(feed, "updated", _utc(updated))
    _text(feed, "link", None, rel="self", type="application/atom+xml", href=self_url)
    _text(feed, "link", None, rel="alternate", type="text/html", href=page_url)
    _text(_text(feed, "author", None), "name", "motion-ops")
    _text(feed, "generator", "motion-ops")
    _text(feed, "rights", RIGHTS)
    for m in entries:
        entry = _text(feed, "entry", None)
        _text(entry, "id", f"urn:uuid:{m['id']}")
        _text(entry, "title", (m["title"] or m["nummer"] or m["id"]) + (" (gegenereerd)" if m["generated"] else ""))
        _text(entry, "updated", _utc(m["updated_at"]))
        _text(entry, "link", None, rel="alternate", type="text/html", href=f"{base_url}/motie/{m['id']}")
        for name in submitters(m["submitters"], m["body_text"]):  # as the motion's page names them
            _text(_text(entry, "author", None), "name", dutch_name(name))
        if m["dossier"]:
            _text(entry, "category", None, term=m["dossier"], label=m["dossier_title"] or m["dossier"])
        if m["generated"]:
            _text(entry, "category", None, term="gegenereerd", label="gegenereerde voorbeeldmotie, niet van de Tweede Kamer")
        _text(entry, "summary", _summary(m), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True), updated


def entries(store: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The feed's motions of the search's ``rows``: at most :data:`ENTRIES`, the newest first."""
    ids = [r["id"] for r in rows]
    found = store.read("api_feed_entries", {"ids": ids}) if ids else []
    found.sort(key=lambda m: (m["started_on"] or dt.date.min, m["updated_at"], m["id"]), reverse=True)
    return found[:ENTRIES]


class LastChange:
    """When the store last changed anything a feed may show (``api_feed_changed``), read at most every
    ``ttl`` seconds: a motion that leaves a feed (deleted, changed) moves the feed's ``updated`` on, so
    it never goes back and a reader sending only ``If-Modified-Since`` sees the change. The read scans
    the motions, so it is shared by the requests of a period rather than made by each."""

    def __init__(self, ttl: float):
        self.ttl, self.value, self.until, self.lock = ttl, None, 0.0, threading.Lock()

    def get(self, store: Any) -> dt.datetime | None:
        with self.lock:
            if time.monotonic() < self.until:
                return self.value
        row = store.read_one("api_feed_changed", {})
        with self.lock:
            self.value, self.until = (row or {}).get("changed"), time.monotonic() + self.ttl
            return self.value


def _feed_id(path: str) -> str:
    """A feed's id: the same for the same feed on every host and mount (its path and query)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'motion-ops:' + path)}"


def feeds_router(stores: Any, settings: Any) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    last_change = LastChange(settings.version_ttl)

    def answer(request: Request, path: str, page: str, title: str, subtitle: str | None,
               found: list[dict[str, Any]], changed: dt.datetime | None) -> Response:
        base_url = site_url(request)
        body, updated = atom(feed_id=_feed_id(path), title=title, subtitle=subtitle, self_url=str(request.url),
                             page_url=base_url + page, base_url=base_url, entries=found, changed=changed)
        return conditional(request.headers, body, MEDIA_TYPE, updated)

    @router.get(FEED_SEARCH)
    def search_feed(request: Request, search: Search = Depends(search_params)) -> Response:
        """The feed of a search: its best :data:`DEPTH` motions (or, without words, the newest), newest first."""
        search = search.default("hybrid")
        semantic, notice = meaning(stores, settings.embed, search, client_address(request))
        with stores.lease() as store:
            rows = reads.search(store, q=search.q, mode=search.mode, filters=search.filters,
                                limit=DEPTH if search.q else ENTRIES, offset=0, semantic=semantic)
            found = entries(store, rows)
            changed = last_change.get(store)
        path = search_feed_path(search)
        return answer(request, path, "/" + path.removeprefix(FEED_SEARCH), describe(search), notice, found, changed)

    @router.get(FEED_LIKE)
    def like_feed(request: Request, key: str = Key) -> Response:
        """Moties zoals deze (:func:`reads.alike`), newest first."""
        with stores.lease() as store:
            m = reads.motion(store, key)
            v = reads.version(store)
            rows = reads.alike(store, m["id"], model=v["model"])
            if rows is None:
                why = (f"motie {m['nummer'] or m['id']} heeft (nog) geen vector in het model van de gepubliceerde "
                       f"versie ({v['model']}): er zijn nog geen moties zoals deze te volgen")
                raise Unavailable(why, nl=why[:1].upper() + why[1:] + ".")
            found = entries(store, rows)
            changed = last_change.get(store)
        title = f"Moties zoals {m['nummer'] or m['id']}: {m['title'] or ''}".rstrip(": ")
        return answer(request, like_feed_path(m["id"]), f"/motie/{m['id']}", title,
                      reads.meaning_notice(v["model"]), found, changed)

    return router
