"""The explore pages: server-rendered HTML (Jinja2, autoescaped), usable without JavaScript, in
Dutch. The landing page searches (the same search as ``/api/motions``); a motion's page shows its
requests at a glance, a party-vote chart (SVG), its siblings (the same debate or dossier), its
related motions with why, and earlier versions."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from motion_ops.numerics.relatedness import reason
from motion_ops.parsers.names import dutch_name
from motion_ops.parsers.substance import is_request, requests
from motion_ops.serve import cursor, dutch, neighbours, reads
from motion_ops.serve.api import client_address, meaning
from motion_ops.serve.errors import NotFound, RateLimited, Unavailable
from motion_ops.serve.feeds import describe, like_feed_path, search_feed_path
from motion_ops.serve.params import Key, Search, search_params
from motion_ops.serve.routes import DEFAULT_MIN_SCORE, SIBLINGS_LIMIT
from motion_ops.store import curated
from motion_ops.store.export_files import listing

log = logging.getLogger(__name__)
SIBLINGS_SHOWN = SIBLINGS_LIMIT  # the rest is one click away: the dossier's search
PAGE_SIZE = 20  # results a search page lists
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
TEMPLATES.filters.update(number=dutch.number, percent=dutch.percent, moment=dutch.moment, seats=dutch.seats,
                         name=dutch_name, summary_status=dutch.summary_status)


def _base(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(base=_base(request), **context), status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page: ``message`` in Dutch (:func:`motion_ops.serve.dutch.error_message`); its
    footer says nothing about the published version (the error may be that it cannot be read)."""
    return render(request, "error.html", status=status, status_code=status, message=message)


def published(store: Any) -> dict[str, Any] | None:
    """The published version for the footer (None: none yet)."""
    try:
        return reads.version(store)
    except NotFound:
        return None


def follow_search(search: Search) -> list[tuple[str, str, dict[str, Any]]]:
    """What a search's page can be followed by per e-mail (the form of ``_follow.html``): the search
    itself, and its dossier or party alone when it filters on one."""
    f = search.filters
    fields = {"q": search.q, "mode": search.mode, "party": f.party, "vote": f.vote, "outcome": f.outcome,
              "dossier": f.dossier, "since": f.since, "until": f.until}
    options = [("search", f"deze zoekvraag{': ' + search.q if search.q else ''}", fields)]
    if f.dossier:
        options.append(("dossier", f"alles in dossier {f.dossier}", {"follow_dossier": f.dossier}))
    if f.party:
        options.append(("party", f"partij {f.party}", {"follow_party": f.party}))
    return options


def pages_router(stores: Any, settings: Any) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def landing(request: Request, search: Search = Depends(search_params)) -> HTMLResponse:
        search = search.default("hybrid")
        semantic, notice, problem, status = None, None, None, 200
        if search.semantic:  # before the lease: no connection waits for the provider
            try:
                semantic, notice = meaning(stores, settings.embed, search, client_address(request))
            except RateLimited as exc:
                problem, status = "Te veel zoekvragen op betekenis; probeer het zo opnieuw (zoeken op tekst kan wel).", 429
                log.info("semantic page search refused: %s", exc)
            except Unavailable as exc:
                problem = "Zoeken op betekenis kan nu niet; zoek op woorden, of probeer het later opnieuw."
                log.info("semantic page search unavailable: %s", exc)
        with stores.lease() as store:
            page = _landing(request, store, search, semantic, problem, notice)
        page.status_code = status
        return page

    def _landing(request: Request, store: Any, search: Search, semantic: tuple[str, list[float]] | None,
                 problem: str | None, notice: str | None) -> HTMLResponse:
        q, mode, filters = search.q, search.mode, search.filters
        searched = bool(q or any(filters.params()[k] for k in ("parties", "outcome", "dossier", "since", "until")))
        context: dict[str, Any] = {"q": q, "mode": mode, "filters": filters, "searched": searched, "notice": notice,
                                   "version": published(store), "error": None, "results": [], "next_url": None,
                                   "prev_url": None, "total": None, "offset": 0, "curated": []}
        if searched:
            scope = search.scope("page")
            offset = cursor.decode(settings.secret, scope, search.cursor)["offset"] if search.cursor else 0
            if problem:
                rows, context["error"] = [], problem
            else:
                rows = reads.search(store, q=q, mode=mode, filters=filters, limit=PAGE_SIZE + 1, offset=offset,
                                    semantic=semantic)
                context["total"] = reads.total(rows, offset)
            context["results"], context["offset"] = rows[:PAGE_SIZE], offset
            if len(rows) > PAGE_SIZE:
                context["next_url"] = _page_url(request, scope, offset + PAGE_SIZE)
            if offset > 0:
                context["prev_url"] = _page_url(request, scope, max(0, offset - PAGE_SIZE))
        else:
            context["curated"] = curated.entries(store)
            context["recent"] = reads.search(store, q=None, mode="text", filters=filters, limit=10, offset=0)
            context["dossiers"] = store.read("api_top_dossiers", {"limit": 10})
            context["exports"] = listing(settings.exports_dir)[:1]
        context["feeds"] = [{"title": describe(search), "url": _base(request) + search_feed_path(search)}]
        context["generated"] = reads.mark_generated(store, context["results"], context.get("curated", []),
                                                    context.get("recent", []))
        context["follow"] = follow_search(search) if searched else []
        return render(request, "landing.html", **context)

    def _page_url(request: Request, scope: dict[str, Any], offset: int) -> str:
        """The same search at ``offset`` (the first page without a cursor)."""
        args = {k: v for k, v in request.query_params.items() if k != "cursor"}
        if offset:
            args["cursor"] = cursor.encode(settings.secret, scope, {"offset": offset})
        return f"{_base(request)}/?{urlencode(args)}"

    @router.get("/motie/{key}", response_class=HTMLResponse)
    def motion_page(request: Request, key: str = Key) -> HTMLResponse:
        with stores.lease() as store:
            return _motion_page(request, store, key)

    def _motion_page(request: Request, store: Any, key: str) -> HTMLResponse:
        m = reads.motion(store, key)
        v = published(store)
        related: dict[str, Any] = {"items": [], "on_demand": False, "represented_by": None}
        if v is not None:
            related = neighbours.related(store, m, v, limit=10, min_score=DEFAULT_MIN_SCORE, after=0)
            min_common = int((v["params"].get("weights") or {}).get("min_common_parties") or 1)
            suffix = " (nu berekend: alleen tekst en dossier)" if related["on_demand"] else ""
            for r in related["items"]:
                r["reason_nl"] = reason(r, min_common, "nl") + suffix
        siblings = neighbours.siblings_of(store, m["id"], limit=SIBLINGS_SHOWN)
        generated = reads.mark_generated(store, [m], related["items"], m["earlier_versions"], siblings["items"])
        feeds = [{"title": f"moties zoals {m['nummer'] or 'deze'}", "url": _base(request) + like_feed_path(m["id"])}]
        if m["dossier"]:
            dossier = Search(q=None, mode=None, filters=reads.Filters(dossier=m["dossier"]), cursor=None)
            feeds.append({"title": f"dossier {m['dossier']}", "url": _base(request) + search_feed_path(dossier)})
        follow = [("like", "moties zoals deze", {"motion": m["id"]})] + \
            ([("dossier", f"dossier {m['dossier']}", {"follow_dossier": m["dossier"]})] if m["dossier"] else [])
        return render(request, "motion.html", feeds=feeds, m=m, version=v, related=related, siblings=siblings,
                      follow=follow,
                      requests=requests(m["body_text"]), generated=generated,
                      requests_set={p for p in (m["body_text"] or "").split("\n") if is_request(p)},
                      represented_by=related["represented_by"])

    return router
