"""The read API's party routes: the parties, a party, the agreement between parties over a
selection, where two parties disagreed, and the party match (:mod:`motion_ops.serve.parties`)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from motion_ops.serve import parties
from motion_ops.serve.api import json_response
from motion_ops.serve.params import dossier_query, words_query
from motion_ops.serve.routes import (
    MAX_PARTY,
    PARTIES,
    PARTY,
    PARTY_AGREEMENT,
    PARTY_DISAGREEMENTS,
    PARTY_MATCH,
    PARTY_MATCH_MOTIONS,
)

MAX_ANSWERS_LENGTH = parties.MATCH_MAX * 70  # characters of a match's answers (20 x key:a,)
ANSWERS_CACHE = "no-store"  # a match's result holds the reader's answers: no shared cache keeps them


def party_name(description: str = "a party, as the votes name it (GET /api/parties)") -> Any:
    return Path(..., min_length=1, max_length=MAX_PARTY, description=description)


def selection_params(
        q: str | None = words_query("only motions with all these words (Dutch full text)"),
        dossier: str | None = dossier_query(),
        since: dt.date | Literal[""] | None = Query(None, description="only motions from this day on"),
        until: dt.date | Literal[""] | None = Query(None, description="only motions before this day")
) -> parties.Selection:
    """The selection of motions an agreement is computed over (blank parameters are absent)."""
    return parties.Selection(q=(q or "").strip() or None, dossier=dossier or None, since=since or None,
                             until=until or None)


def answers_param(m: str = Query(..., max_length=MAX_ANSWERS_LENGTH,
                                 description="the reader's answers: <motion>:v (voor), <motion>:t (tegen), "
                                             "<motion>:o (overslaan), comma-separated; a motion is its Zaak number "
                                             f"or id; at most {parties.MATCH_MAX}")) -> list[tuple[str, str]]:
    """A match's answers, or a 422 saying what is wrong with them."""
    try:
        return parties.parse_answers(m)
    except parties.BadAnswers as exc:
        raise invalid_answers(exc) from None


def invalid_answers(exc: parties.BadAnswers) -> RequestValidationError:
    """The 422 of answers that cannot be read (the app answers it as every invalid parameter)."""
    return RequestValidationError([{"loc": ("query", "m"), "msg": str(exc), "type": "value_error",
                                    "ctx": {"nl": exc.nl}}])  # the page says it in Dutch (dutch.invalid_input)


def party_api_router(stores: Any) -> APIRouter:
    router = APIRouter(tags=["parties"])

    @router.get(PARTIES)
    def list_parties() -> Response:
        """Every party the store has votes of, with how many motions it voted on, first and last."""
        with stores.lease() as store:
            return json_response({"items": parties.parties(store)})

    @router.get(PARTY_AGREEMENT)
    def party_agreement(selection: parties.Selection = Depends(selection_params)) -> Response:
        """Agreement beyond chance between every two parties over the selected motions (the
        relatedness's vote term: each vote centred on its own mean, a unanimous one counting for
        nothing; the correlation of two parties' centred votes, -1 to 1), per cell with the
        informative motions it rests on and how many of the common ones they voted alike."""
        with stores.lease() as store:
            out = parties.agreement_matrix(store, selection)
        return json_response({"selection": selection.params(), **out})

    @router.get(PARTY_DISAGREEMENTS)
    def party_disagreements(a: str = party_name(), b: str = party_name(),
                            selection: parties.Selection = Depends(selection_params),
                            limit: int = Query(parties.DISAGREEMENTS_SHOWN, ge=1, le=100)) -> Response:
        """The selected motions on which party a voted voor and b tegen, or the other way round; newest first."""
        with stores.lease() as store:
            out = parties.disagreements(store, a, b, selection, limit=limit)
        return json_response({"selection": selection.params(), **out})

    @router.get(PARTY_MATCH_MOTIONS)
    def party_match_motions(q: str | None = words_query("motions with all these words"),
                            dossier: str | None = dossier_query("motions of this dossier"),
                            limit: int = Query(parties.MATCH_DEFAULT, ge=1, le=parties.MATCH_MAX)) -> Response:
        """Contested motions to answer (parties voted both voor and tegen): from a search, a dossier,
        or the most recent votes."""
        with stores.lease() as store:
            items = parties.match_motions(store, q=(q or "").strip() or None, dossier=dossier or None, limit=limit)
        return json_response({"items": items})

    @router.get(PARTY_MATCH)
    def party_match(answers: list[tuple[str, str]] = Depends(answers_param)) -> Response:
        """Every party ranked by agreement beyond chance with the reader's answers, each with the
        motions it rests on; nothing of the reader is stored. ``m`` is also the shareable page's
        (``/partijmatch?m=...``)."""
        try:
            with stores.lease() as store:
                out = parties.match(store, answers)
        except parties.BadAnswers as exc:
            raise invalid_answers(exc) from None
        response = json_response(out)
        response.headers["cache-control"] = ANSWERS_CACHE
        return response

    @router.get(PARTY)
    def get_party(party: str = party_name()) -> Response:
        """A party: its votes per month, how often it was on the winning side of a decided vote, and
        the newest motions it submitted."""
        with stores.lease() as store:
            return json_response(parties.party(store, party))

    return router
