"""The request parameters the read API and the explore pages share: a motion's key, the words and
the dossier of a search or a party selection (:func:`words_query`, :func:`dossier_query`), and a
search's parameters as one dependency (:func:`search_params`). A blank parameter is an absent one, as
an HTML form sends the fields left empty."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Path, Query

from motion_ops.serve.reads import Filters
from motion_ops.serve.routes import KEY_CHARS, KEY_MAX_LENGTH, MAX_CURSOR, MAX_DOSSIER, MAX_PARTY, MAX_Q

Key = Path(..., min_length=1, max_length=KEY_MAX_LENGTH, pattern=rf"^[{KEY_CHARS}]+$",
           description="motion id (uuid) or Zaak number")


def words_query(description: str = "search words (Dutch full text)") -> Any:
    """The words of a search or of a selection of motions (at most :data:`MAX_Q` characters)."""
    return Query(None, max_length=MAX_Q, description=description)


def dossier_query(description: str = "only this dossier") -> Any:
    """A dossier's number as a filter (at most :data:`MAX_DOSSIER` characters of a motion key's)."""
    return Query(None, max_length=MAX_DOSSIER, pattern=rf"^[{KEY_CHARS}]*$", description=description)


@dataclass(frozen=True)
class Search:
    """A search as a reader asked it: the words (stripped, None if none), how (None: not said), the
    filters, the cursor."""

    q: str | None
    mode: str | None
    filters: Filters
    cursor: str | None

    def default(self, mode: str) -> "Search":
        """This search, searching as ``mode`` when the reader did not say how (the API: ``text``,
        the pages: ``hybrid``)."""
        return self if self.mode else dataclasses.replace(self, mode=mode)

    @property
    def semantic(self) -> bool:
        """Whether the query needs its vector (semantic or hybrid search with words)."""
        return self.mode in ("semantic", "hybrid") and bool(self.q)

    def scope(self, path: str) -> dict[str, Any]:
        """What a paging cursor of this search is bound to, on ``path`` (the API's or the pages')."""
        return {"path": path, "q": self.q, "mode": self.mode, "filters": self.filters.params()}


def search_params(
        q: str | None = words_query(),
        mode: Literal["text", "semantic", "hybrid", ""] | None = Query(
            None, description="text: the words (Dutch full text); semantic: by meaning (the query's vector); hybrid: "
                              "both, fused by reciprocal rank. Not given: text in the API, hybrid on the pages"),
        party: str | None = Query(None, max_length=MAX_PARTY, description="a party that voted (any name it had)"),
        vote: Literal["voor", "tegen", ""] | None = Query(None, description="... and how it voted"),
        outcome: str | None = Query(None, max_length=40, description="aangenomen, verworpen, ..."),
        dossier: str | None = dossier_query(),
        since: dt.date | Literal[""] | None = None, until: dt.date | Literal[""] | None = None,
        cursor: str | None = Query(None, max_length=MAX_CURSOR)) -> Search:
    """The search's parameters (``Depends(search_params)``), blank ones absent."""
    filters = Filters(party=party or None, vote=vote or None, outcome=outcome or None, dossier=dossier or None,
                      since=since or None, until=until or None)
    return Search(q=(q or "").strip() or None, mode=mode or None, filters=filters, cursor=cursor or None)
