"""What readers can ask about parties, as plain functions over a read-only
:class:`~motion_ops.store.db.Store`: a party's page (its votes per month, how often it was on the
winning side, the motions it submitted), the agreement between every two parties over a selection
of motions (:mod:`motion_ops.numerics.agreement`: agreement beyond chance, the relatedness's
definition), the motions on which two parties disagreed, and the party match: a reader's answers
(voor, tegen, overslaan) against every party, nothing of which is stored.

Parties are named as the store has them (``motion_votes.party``); only live motions count.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from motion_ops.numerics.agreement import Agreement, agreement, with_reader
from motion_ops.serve.errors import NotFound
from motion_ops.serve.routes import KEY_CHARS, KEY_MAX_LENGTH
from motion_ops.store.db import Store

#: a reader's answers: voor, tegen, overslaan (skipped)
ANSWERS = {"v": 1, "t": -1, "o": 0}
MATCH_MAX = 20  # answers one match may hold
MATCH_DEFAULT = 15  # contested motions proposed to answer
SUBMITTED_SHOWN = 20
DISAGREEMENTS_SHOWN = 50
MATRIX_MAX_MOTIONS = 5000  # the newest motions of a selection a matrix rests on (about a year of votes)
_ANSWER = re.compile(rf"^([{KEY_CHARS}]{{1,{KEY_MAX_LENGTH}}}):([vto])$")


class BadAnswers(ValueError):
    """A match's answers that cannot be read (422), saying what is wrong; ``nl``: the same in Dutch,
    for the page."""

    def __init__(self, message: str, nl: str):
        super().__init__(message)
        self.nl = nl


@dataclass(frozen=True)
class Selection:
    """Which live motions an agreement is computed over (None: not filtered): the words (all of
    them, Dutch full text), a dossier, a period ``[since, until)``."""

    q: str | None = None
    dossier: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def params(self) -> dict[str, Any]:
        return {"q": self.q, "dossier": self.dossier, "since": self.since, "until": self.until}

    def args(self) -> dict[str, str]:
        """The selection as query arguments (the ones given)."""
        return {k: str(v) for k, v in self.params().items() if v is not None}


def parties(store: Store) -> list[dict[str, Any]]:
    """Every party the store has votes of, with how many motions it voted on, first and last."""
    return store.read("api_parties", {"party": None})


def _known(store: Store, name: str) -> dict[str, Any]:
    """One party's row of :func:`parties` (through the index on the party, not every vote).

    :raises NotFound: the store has no votes of ``name``, naming the parties it has.
    """
    rows = store.read("api_parties", {"party": name})
    if not rows:
        known = sorted(r["party"] for r in parties(store))
        raise NotFound(f"no party {name!r} (parties as the votes name them: {', '.join(known) or 'none yet'})",
                       nl=_no_party(name))
    return rows[0]


def pair(store: Store, a: str, b: str) -> tuple[str, str]:
    """The two parties of a path ``<a>/<b>`` whose names may hold a "/" themselves ("Krol/vKA"):
    the first cut of ``a/b`` at a "/" (the router's first) at which both sides are parties.

    :raises NotFound: no such cut, naming the first unknown party of the router's cut.
    """
    whole = f"{a}/{b}"
    cuts = [(whole[:i], whole[i + 1:]) for i in [len(a)] + [i for i, c in enumerate(whole) if c == "/" and i != len(a)]]
    names = sorted({name for cut in cuts for name in cut if name})
    known = {r["party"] for r in store.read("api_known_parties", {"names": names})}
    for x, y in cuts:
        if x in known and y in known:
            return x, y
    unknown = a if a not in known else b
    raise NotFound(f"no party {unknown!r}", nl=_no_party(unknown))


def party(store: Store, name: str) -> dict[str, Any]:
    """A party's page: its votes per month (``timeline``: voor, tegen, other, decided, won), how often
    it was on the winning side of a decided vote (``winning_share``, None without one), and the
    newest motions it submitted (``submitted``, with their ``submitted_total``).

    :raises NotFound: the store has no votes of ``name``.
    """
    row = _known(store, name)
    timeline = store.read("api_party_timeline", {"parties": [name]})
    decided, won = sum(r["decided"] for r in timeline), sum(r["won"] for r in timeline)
    submitted = store.read("api_party_submitted", {"parties": [name], "limit": SUBMITTED_SHOWN})
    total = int(submitted[0]["total"]) if submitted else 0
    return {**row, "timeline": timeline, "decided": decided, "won": won,
            "winning_share": round(won / decided, 4) if decided else None,
            "submitted": [{k: v for k, v in r.items() if k != "total"} for r in submitted], "submitted_total": total}


def _matrix(rows: list[dict[str, Any]], motions: list[str] | None = None) -> tuple[list[str], list[str], np.ndarray]:
    """``(motion ids, parties, votes)`` from vote rows: motions (those of the rows, or ``motions``) x
    parties, +1 Voor, -1 Tegen, 0 none."""
    motions = motions if motions is not None else sorted({r["motion_id"] for r in rows})
    names = sorted({r["party"] for r in rows}, key=lambda p: (p.casefold(), p))
    mi, pi = {m: i for i, m in enumerate(motions)}, {p: i for i, p in enumerate(names)}
    votes = np.zeros((len(motions), len(names)), dtype=np.int8)
    for r in rows:
        votes[mi[r["motion_id"]], pi[r["party"]]] = 1 if r["vote"] == "Voor" else -1
    return motions, names, votes


def _cell(a: Agreement, p: int, q: int) -> dict[str, Any]:
    return {"agreement": a.value(p, q), "rests_on": int(a.rests_on[p, q]), "same": int(a.same[p, q]),
            "common": int(a.common[p, q])}


def agreement_matrix(store: Store, selection: Selection, *, limit: int | None = None) -> dict[str, Any]:
    """The agreement beyond chance between every two parties that voted in the selection: per party
    a row of cells (``agreement`` between -1 and 1 or None, the informative motions it ``rests_on``,
    ``same`` of ``common`` motions voted alike). It rests on at most the newest ``limit`` motions of
    the selection (default :data:`MATRIX_MAX_MOTIONS`; ``limited``: it reached them, there may be more)."""
    limit = MATRIX_MAX_MOTIONS if limit is None else limit
    motions, names, votes = _matrix(store.read("api_party_votes", {**selection.params(), "ids": None, "limit": limit}))
    a = agreement(votes)
    return {"motions": len(motions), "limited": len(motions) >= limit, "parties": names,
            "rows": [{"party": p, "cells": [{"party": q, **_cell(a, i, j)} for j, q in enumerate(names)]}
                     for i, p in enumerate(names)]}


def disagreements(store: Store, a: str, b: str, selection: Selection, *, limit: int = DISAGREEMENTS_SHOWN
                  ) -> dict[str, Any]:
    """The motions of the selection on which party ``a`` voted Voor and ``b`` Tegen or the other way
    round, newest first, and how many (``total``). ``a/b`` may be cut anew where a name holds a "/"
    (:func:`pair`).

    :raises NotFound: the store has no votes of ``a`` or ``b``.
    """
    a, b = pair(store, a, b)
    rows = store.read("api_party_disagreements", {**selection.params(), "a": a, "b": b, "limit": limit})
    return {"a": a, "b": b, "total": int(rows[0]["total"]) if rows else 0,
            "items": [{k: v for k, v in r.items() if k != "total"} for r in rows]}


def parse_answers(m: str) -> list[tuple[str, str]]:
    """A match's answers from its URL form ``<key>:v,<key>:t,<key>:o`` (v voor, t tegen, o
    overslaan; a key is a motion's Zaak number or id), in order.

    :raises BadAnswers: not of that form, a motion twice, or more than :data:`MATCH_MAX`.
    """
    parts = [p.strip() for p in (m or "").split(",") if p.strip()]
    if not parts:
        raise BadAnswers("no answers: give them as <motion>:v (voor), <motion>:t (tegen) or <motion>:o (overslaan), "
                         "separated by commas",
                         "geen antwoorden: geef ze als <motie>:v (voor), <motie>:t (tegen) of <motie>:o (overslaan), "
                         "gescheiden door komma's")
    if len(parts) > MATCH_MAX:
        raise BadAnswers(f"{len(parts)} answers: at most {MATCH_MAX} motions in one match",
                         f"{len(parts)} antwoorden: hoogstens {MATCH_MAX} moties in één partijmatch")
    answers: list[tuple[str, str]] = []
    for part in parts:
        found = _ANSWER.match(part)
        if not found:
            raise BadAnswers(f"{part[:80]!r} is not <motion>:v, <motion>:t or <motion>:o",
                             f"'{part[:80]}' is geen <motie>:v, <motie>:t of <motie>:o")
        if any(found.group(1) == k for k, _ in answers):
            raise BadAnswers(f"motion {found.group(1)!r} is answered twice",
                             f"motie {found.group(1)} is twee keer beantwoord")
        answers.append((found.group(1), found.group(2)))
    return answers


def share_string(answers: list[tuple[str, str]]) -> str:
    """The answers in their URL form (the inverse of :func:`parse_answers`)."""
    return ",".join(f"{k}:{a}" for k, a in answers)


def match_motions(store: Store, *, q: str | None = None, dossier: str | None = None, limit: int = MATCH_DEFAULT
                  ) -> list[dict[str, Any]]:
    """Contested live motions (parties voted both Voor and Tegen) to answer, newest first: those
    with all the words ``q``, of ``dossier``, or the most recent votes."""
    rows = store.read("api_match_motions", {"keys": None, "ids": None, "q": q, "dossier": dossier, "limit": limit})
    return rows


def match(store: Store, answers: list[tuple[str, str]]) -> dict[str, Any]:
    """Every party that voted on the answered motions, ranked by agreement beyond chance with the
    reader (best first; one without an informative motion in common last), each with the motions
    it ``rests_on``; the motions with their answers.

    :raises NotFound: a key that is no live motion.
    :raises BadAnswers: one motion answered twice.
    """
    keys = [k for k, _ in answers]
    ids = [i for i in map(_uuid, keys) if i]
    found = store.read("api_match_motions", {"keys": keys, "ids": ids, "q": None, "dossier": None, "limit": len(keys)})
    by_key = {}
    for r in found:
        for k in (r["nummer"], r["id"]):
            by_key.setdefault(k, r)
    motions = []
    for key, answer in answers:
        row = by_key.get(key) or by_key.get(_uuid(key) or "")
        if row is None:
            raise NotFound(f"no motion {key!r}", nl=f"Er is geen motie met nummer of id {key}.")
        motions.append({**row, "answer": answer})
    if len({m["id"] for m in motions}) < len(motions):
        raise BadAnswers("a motion is answered twice (by its number and by its id)",
                         "een motie is twee keer beantwoord (met haar nummer en met haar id)")
    ids = [m["id"] for m in motions]
    rows = store.read("api_party_votes", {"ids": ids, "q": None, "dossier": None, "since": None, "until": None,
                                          "limit": len(ids)})
    _, names, votes = _matrix(rows, ids)
    reader = np.array([ANSWERS[m["answer"]] for m in motions], dtype=np.int8)
    a, me = with_reader(votes, reader), len(names)
    ranked = [{"party": p, **_cell(a, i, me)} for i, p in enumerate(names)]
    ranked.sort(key=lambda c: (c["agreement"] is None, -(c["agreement"] or 0.0), -c["rests_on"], c["party"].casefold()))
    return {"motions": motions, "answered": sum(1 for _, x in answers if x != "o"), "parties": ranked,
            "m": share_string(answers)}


def _no_party(name: str) -> str:
    """What a page says about a party the store has no votes of."""
    return f"Er is geen partij {name}: geen stemming noemt een partij zo."


def _uuid(key: str) -> str | None:
    """A key as a motion id in the store's spelling (None: not an id)."""
    try:
        return str(uuid.UUID(key))
    except ValueError:
        return None
