"""The explore pages about parties, in Dutch, server-rendered and usable without JavaScript: the
parties, a party's page, the agreement matrix over a selection, where two parties disagreed, and
the party match (a GET form; its answers end up in the shareable URL ``/partijmatch?m=...``)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from motion_ops.serve import parties
from motion_ops.serve.feeds import search_feed_path
from motion_ops.serve.pages import published, render
from motion_ops.serve.params import Search, dossier_query, words_query
from motion_ops.serve.party_api import (
    ANSWERS_CACHE,
    MAX_ANSWERS_LENGTH,
    answers_param,
    invalid_answers,
    party_name,
    selection_params,
)
from motion_ops.serve.reads import Filters

MATCH_PAGE = "/partijmatch"
ANSWER_FIELD = "a."  # a question's radio buttons: a.<motion key> = v | t | o


def kleur(value: float | None) -> str:
    """A cell's background: green for agreement, red for disagreement beyond chance, grey for none."""
    if value is None:
        return "#eeeeee"
    strength = round(min(1.0, abs(value)) * 155)
    return f"rgb({255 - strength},255,{255 - strength})" if value >= 0 else f"rgb(255,{255 - strength},{255 - strength})"


def party_pages_router(stores: Any) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    helpers = {"kleur": kleur}  # numbers and shares: the pages' one format (dutch.number, dutch.percent)

    @router.get("/partijen", response_class=HTMLResponse)
    def parties_page(request: Request) -> HTMLResponse:
        with stores.lease() as store:
            items, version = parties.parties(store), published(store)
        return render(request, "parties.html", items=items, version=version, **helpers)

    @router.get("/partij/{party:path}", response_class=HTMLResponse)  # a name may hold a "/"
    def party_page(request: Request, party: str = party_name()) -> HTMLResponse:
        with stores.lease() as store:
            p, version = parties.party(store, party), published(store)
            generated = _mark(store, p["submitted"])
        top = max([r["voor"] + r["tegen"] + r["other"] for r in p["timeline"]] or [0])
        followed = Search(q=None, mode=None, filters=Filters(party=p["party"]), cursor=None)
        feeds = [{"title": f"moties waarover {p['party']} stemde",
                  "url": request.scope.get("root_path", "").rstrip("/") + search_feed_path(followed)}]
        follow = [("party", f"partij {p['party']}", {"follow_party": p["party"]})]
        return render(request, "party.html", p=p, version=version, top=top, generated=generated, feeds=feeds,
                      follow=follow, **helpers)

    @router.get("/partijen/overeenstemming", response_class=HTMLResponse)
    def matrix_page(request: Request, selection: parties.Selection = Depends(selection_params)) -> HTMLResponse:
        with stores.lease() as store:
            out, version = parties.agreement_matrix(store, selection), published(store)
        return render(request, "agreement.html", out=out, selection=selection, args=urlencode(selection.args()),
                      version=version, **helpers)

    @router.get("/partijen/verschil/{a:path}/{b:path}", response_class=HTMLResponse)  # cut by parties.pair
    def disagreements_page(request: Request, a: str = party_name(), b: str = party_name(),
                           selection: parties.Selection = Depends(selection_params)) -> HTMLResponse:
        with stores.lease() as store:
            out, version = parties.disagreements(store, a, b, selection), published(store)
            generated = _mark(store, out["items"])
        return render(request, "disagreements.html", out=out, selection=selection, args=urlencode(selection.args()),
                      version=version, generated=generated, **helpers)

    @router.get(MATCH_PAGE, response_class=HTMLResponse)
    def match_page(request: Request, q: str | None = words_query(), dossier: str | None = dossier_query(),
                   m: str | None = Query(None, max_length=MAX_ANSWERS_LENGTH)) -> HTMLResponse:
        answers = answers_param(m) if m is not None else None
        with stores.lease() as store:
            if answers is not None:
                try:
                    result = parties.match(store, answers)
                except parties.BadAnswers as exc:
                    raise invalid_answers(exc) from None
                motions = result["motions"]
            else:
                result = None
                motions = parties.match_motions(store, q=(q or "").strip() or None, dossier=dossier or None)
            version, generated = published(store), _mark(store, motions)
        share = _match_url(request, result["m"]) if result else None
        page = render(request, "match.html", motions=motions, result=result, share=share, q=q, dossier=dossier,
                      field=ANSWER_FIELD, version=version, generated=generated, **helpers)
        if result:
            page.headers["cache-control"] = ANSWERS_CACHE
        return page

    @router.get(MATCH_PAGE + "/antwoorden")
    def match_answers(request: Request) -> RedirectResponse:
        """The questions' form (radio buttons ``a.<motion>``) to the result's shareable URL."""
        given = [(k[len(ANSWER_FIELD):], v) for k, v in request.query_params.multi_items() if k.startswith(ANSWER_FIELD)]
        answers = answers_param(parties.share_string(given))
        return RedirectResponse(_match_url(request, parties.share_string(answers)) + "#uitslag", status_code=303)

    return router


def _match_url(request: Request, m: str) -> str:
    """The path of the match's result for answers ``m`` (under the app's mount point), its shareable URL."""
    return f"{request.url_for('match_page').path}?{urlencode({'m': m})}"


def _mark(store: Any, rows: list[dict[str, Any]]) -> str | None:
    from motion_ops.serve.reads import mark_generated

    return mark_generated(store, rows)
