"""What readers can ask the store, as plain functions over a :class:`~motion_ops.store.db.Store`
connected with the read-only role (the API never writes except its on-demand cache).

Search (:func:`search`): Dutch full text (``tsvector``, GIN index, ranked, highlighted), semantic (the
query's vector, ranked exactly against the published model's vectors), or hybrid: both rankings
fused by reciprocal rank (RRF), each result saying which found it.
A motion, its votes and summary, the published version and what changed between two versions; a
motion's related motions and siblings are :mod:`motion_ops.serve.neighbours`.
"""
from __future__ import annotations

import html
import json
import logging
import math
import re
from dataclasses import dataclass
from typing import Any

from motion_ops.clients.hashing import is_lexical
from motion_ops.parsers.substance import submitters
from motion_ops.parties import LINEAGE, identity
from motion_ops.reports.links import official_url
from motion_ops.serve.errors import NotFound, Unavailable
from motion_ops.store.db import Store

log = logging.getLogger(__name__)

MODES = ("text", "semantic", "hybrid")
#: reciprocal rank fusion: a motion at rank r of a list scores weight / (RRF_K + r) from it
RRF_K = 60
#: how far down each list hybrid search looks, and the text list's weights: a motion with all the
#: words counts fully; one with only some of them hardly (a shared common word is weak evidence:
#: at equal weight these lowered precision). Chosen by ``bench/search.py`` (README "Search").
SEMANTIC_DEPTH = 100
#: pseudo-relevance feedback: the semantic ranking compares with the query's unit vector plus the
#: vectors of its first FEEDBACK matches (each counting as much as the query), so a question worded
#: unlike the motions finds the motions like its best matches. Chosen by ``bench/search.py`` on half
#: of its questions (README "Search").
FEEDBACK = 2
TEXT_DEPTH = 50
ALL_WORDS_WEIGHT = 1.0
TEXT_WEIGHT = 0.05
# websearch syntax: a quoted phrase, an excluded -word, "or": the reader asked for exactly that
_OPERATORS = re.compile(r'"|(?:^|\s)-\w|(?:^|\s)or(?:\s|$)', re.IGNORECASE)
#: what a search by meaning says when the model compares words, not meaning
LEXICAL_NOTICE = ("Zoeken op betekenis gebruikt nu een lexicale methode ({model}): die vergelijkt woorden, niet "
                  "hun betekenis. Moties met andere woorden voor hetzelfde onderwerp worden zo niet gevonden.")


@dataclass(frozen=True)
class Filters:
    party: str | None = None
    vote: str | None = None        # voor | tegen
    outcome: str | None = None
    dossier: str | None = None
    since: Any = None
    until: Any = None

    def params(self) -> dict[str, Any]:
        parties = None
        party = (self.party or "").strip()
        if party:
            ident = identity(party) or party
            parties = sorted({party, ident, *LINEAGE.get(ident, ())})
        return {"parties": parties, "vote": {"voor": "Voor", "tegen": "Tegen"}.get(self.vote or ""),
                "outcome": self.outcome, "dossier": self.dossier, "since": self.since, "until": self.until}


def highlight(snippet: str | None) -> str | None:
    """A ts_headline snippet as HTML: the text escaped, the hits (between ⟦ and ⟧) in ``<mark>``."""
    if snippet is None:
        return None
    return html.escape(snippet).replace("⟦", "<mark>").replace("⟧", "</mark>")


def broadens(q: str) -> bool:
    """Whether text search may fall back to motions with *some* of the words of ``q`` (after those
    with all of them): not when ``q`` uses websearch syntax (quotes, ``-word``, ``or``)."""
    return not _OPERATORS.search(q)


def meaning_notice(model: str | None) -> str | None:
    """The notice a search by meaning carries when ``model`` cannot understand meaning (else None)."""
    return LEXICAL_NOTICE.format(model=model) if is_lexical(model) else None


def unit(vector: Any) -> str:
    """``vector`` scaled to length 1, as pgvector text (a zero vector as it is).

    :raises ValueError: a value that is not a finite number.
    """
    v = [float(x) for x in vector]
    if not all(math.isfinite(x) for x in v):
        raise ValueError("the query's vector has a value that is not a finite number")
    norm = math.sqrt(sum(x * x for x in v))
    return str([x / norm for x in v] if norm else v)


def search(store: Store, *, q: str | None, mode: str, filters: Filters, limit: int, offset: int,
           semantic: tuple[str, list[float]] | None = None, text_depth: int = TEXT_DEPTH,
           text_weight: float = TEXT_WEIGHT, all_words_weight: float = ALL_WORDS_WEIGHT, depth: int = SEMANTIC_DEPTH,
           broaden: bool | None = None, feedback: int = FEEDBACK,
           within: list[str] | None = None) -> list[dict[str, Any]]:
    """Motions matching ``q`` and the filters, best first (newest without ``q``), each with
    ``found_by``: ``text``, ``semantic`` or ``both`` (None without ``q``).

    - ``text``: the motions with all the words first (websearch syntax), then those with some of
      them (unless ``q`` uses websearch syntax), each group by ``ts_rank_cd``;
    - ``semantic``: by cosine to ``q``'s unit vector plus the vectors of its first ``feedback``
      matches (pseudo-relevance feedback; 0: ``q``'s vector alone);
    - ``hybrid``: the first ``text_depth`` of the text ranking and the first ``depth`` of the
      semantic one (with its feedback) fused by reciprocal rank (score = Σ weight / (:data:`RRF_K` + rank)), a text
      hit weighted ``all_words_weight`` with all the words, ``text_weight`` with some.

    :param broaden: whether text search may add the motions with some of the words (None: unless
        ``q`` uses websearch syntax, :func:`broadens`).
    :param semantic: ``(model, vector)`` of ``q`` for semantic and hybrid search
        (:func:`motion_ops.serve.query_embedding.query_vector`, called without holding ``store``);
        hybrid without it is text search.
    :param within: text search only among these motion ids (the e-mail digests' new motions).
    """
    if mode not in MODES:
        raise ValueError(f"unknown search mode {mode!r}")
    params = {**filters.params(), "limit": limit, "offset": offset, "q": q or None,
              "broaden": bool(q) and (broadens(q) if broaden is None else broaden),
              "within": None if within is None else list(within)}
    if q and mode == "semantic":
        if semantic is None:
            raise Unavailable("semantic search needs the query's vector")
        model, vector = semantic
        rows = store.read("api_search_semantic", {**params, "model": model, "vector": unit(vector),
                                                  "feedback": feedback})
    elif q and mode == "hybrid" and semantic is not None:
        model, vector = semantic
        rows = store.read("api_search_hybrid", {**params, "model": model, "vector": unit(vector), "k": RRF_K,
                                                "feedback": feedback,
                                                "text_depth": text_depth, "text_weight": text_weight,
                                                "all_words_weight": all_words_weight, "depth": depth})
    else:
        rows = store.read("api_search_text", params)
    for r in rows:
        r["snippet"] = highlight(r["snippet"])
        r["rank"] = None if r["rank"] is None else round(float(r["rank"]), 6 if mode == "hybrid" else 4)
        r.setdefault("found_by", None if not q else "semantic" if mode == "semantic" else "text")
    return rows


def total(rows: list[dict[str, Any]], offset: int) -> int | None:
    """How many motions a search found in all (its rows carry it), None when it cannot say: a
    search by meaning ranks every motion, and a page past the end has no row to say it."""
    if rows:
        return None if rows[0].get("total") is None else int(rows[0]["total"])
    return 0 if offset == 0 else None


def generated(store: Store, ids: list[str]) -> set[str]:
    """Which of ``ids`` are generated sample motions (the dev kit's stand-in), not the Tweede Kamer's."""
    return {r["id"] for r in store.read("api_generated_motions", {"ids": list(ids)})} if ids else set()


def mark_generated(store: Store, *groups: list[dict[str, Any]]) -> str | None:
    """Set ``generated`` on every motion row of ``groups`` (rows with ``id``); returns "all" when
    every one is generated, "some" when some are, None when none is (or there are none)."""
    rows = [r for g in groups for r in g]
    found = generated(store, sorted({str(r["id"]) for r in rows}))
    for r in rows:
        r["generated"] = str(r["id"]) in found
    return None if not found else "all" if all(r["generated"] for r in rows) else "some"


def motion(store: Store, key: str) -> dict[str, Any]:
    """A motion with its votes (per party, with seats), outcome and earlier versions; ``generated``
    says it is generated sample data, not the Tweede Kamer's."""
    m = store.read_one("api_motion", {"key": key})
    if m is None:
        raise NotFound(f"no motion {key!r}", nl=f"Er is geen motie met nummer of id {key}.")
    m["generated"] = bool(generated(store, [str(m["id"])]))
    m["submitters"] = submitters(m["submitters"], m["body_text"])
    m["official_url"] = None if m["generated"] else official_url(m["nummer"], m["document_nummer"])
    votes = store.read("api_motion_votes", {"id": m["id"]})
    m["votes"] = votes
    m["vote_totals"] = vote_totals(votes)
    current = store.read_one("api_version", {"version": None})
    m["earlier_versions"] = store.read("api_earlier_versions", {"version": current["version"], "id": m["id"]}) \
        if current else []
    m["similarity_version"] = {"version": current["version"], "model": current["model"]} if current else None
    m["summary"] = summary(store, m["id"])
    return m


def vote_totals(votes: list[dict[str, Any]]) -> dict[str, Any]:
    """Seats voor and tegen over the parties whose count is known; when a party's seats on the side
    it voted are unknown (null), ``complete`` is false and ``missing`` names it under that side (the
    total of that side is then a lower bound)."""
    missing = {side: sorted(v["party"] for v in votes if v[side] is None) for side in ("voor", "tegen")}
    return {"voor": sum(v["voor"] or 0 for v in votes), "tegen": sum(v["tegen"] or 0 for v in votes),
            "complete": not (missing["voor"] or missing["tegen"]), "missing": missing}


def summary(store: Store, motion_id: str) -> dict[str, Any] | None:
    """The published summary of the motion's current text, with its provenance (None: none yet).
    An extractive one says so in ``label`` (it is the motion's own words, not a model's)."""
    s = store.read_one("api_motion_summary", {"id": motion_id})
    if s is None:
        return None
    from motion_ops.llm.extractive import LABEL

    provenance = {k: s.pop(k) for k in ("backend", "model", "prompt_version", "schema_version", "attempts",
                                        "input_tokens", "output_tokens", "latency_ms", "published_at")}
    return {**s, "label": LABEL if s["status"] == "extractive" else None, "provenance": provenance}


#: how far down the ranking by meaning "moties zoals deze" looks (its feed shows them newest first; a
#: digest sends the new motions among them)
ALIKE_DEPTH = 100


def alike(store: Store, motion_id: str, *, model: str | None = None,
          depth: int | None = None) -> list[dict[str, Any]] | None:
    """Moties zoals deze: the ``depth`` motions closest in meaning to the motion's own vector in the
    published version's model, best first, the motion itself left out; None when the motion has no
    vector of its current text in that model. The Atom feed and the e-mail digest both follow this.

    :param model: the published version's model, when the caller has read it (None: read here).
    :param depth: how many (None: :data:`ALIKE_DEPTH`)."""
    depth = ALIKE_DEPTH if depth is None else depth
    model = model or version(store)["model"]
    row = store.read_one("api_motion_vector", {"id": motion_id, "model": model})
    if row is None:
        return None
    rows = search(store, q=motion_id, mode="semantic", filters=Filters(), limit=depth + 1, offset=0,
                  semantic=(model, json.loads(row["vector"])), feedback=0)  # its own vector, not a query's
    return [r for r in rows if r["id"] != motion_id][:depth]


def version(store: Store, number: int | None = None) -> dict[str, Any]:
    """A version (``None``: the published one)."""
    v = store.read_one("api_version", {"version": number})
    if v is None:
        raise NotFound("no published version" if number is None else f"no version {number}",
                       nl="Er is nog geen gepubliceerde versie." if number is None else f"Versie {number} bestaat niet.")
    return v


def diff(store: Store, a: int, b: int, *, limit: int) -> dict[str, Any]:
    """Which motions' lists changed between versions ``a`` and ``b``, and how."""
    for number in (a, b):
        version(store, number)
    rows = store.read("api_version_diff", {"a": a, "b": b})
    changes = []
    for r in rows:
        before, after = r["before"] or [], r["after"] or []
        kind = "added" if not before else "removed" if not after else (
            "reordered" if set(before) == set(after) else "changed")
        changes.append({"id": r["id"], "nummer": r["nummer"], "title": r["title"], "change": kind,
                        "gained": [x for x in after if x not in before], "lost": [x for x in before if x not in after]})
    counts = {k: sum(c["change"] == k for c in changes) for k in ("added", "removed", "changed", "reordered")}
    return {"from": a, "to": b, "motions_changed": len(changes), "counts": counts, "changes": changes[:limit],
            "truncated": len(changes) > limit}
