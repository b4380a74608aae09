"""One motion's row, with its party votes, from its raw SyncFeed entities (no store: :mod:`motion_ops.assemble`
reads the entities and writes the rows).

A motion is a Zaak with soort "Motie". Its text document is the newest live Document with soort
"Motie" or "Motie (gewijzigd/nader)". Its votes are the Stemming rows of the Besluit that points
at the Zaak with besluitSoort "Stemmen - …": rows cast by mistake (``vergissing``) are skipped,
duplicates per (besluit, fractie) collapse to one, roll-call rows (one per member) are counted per
party, and a party is named by its Fractie record's abbreviation (joined by Fractie id, not name).
A bad value in one entity (a reference that is not a GUID, a seat count that is not a number)
affects only that value: it is a problem of the row (audited ``bad_field`` when the row is
written) and the motion is assembled without it (a seat count without a number is unknown,
``None``, never 0).
Also assembled: the kamerstuk ("19637-3384", from the DocumentVersie's externeidentifier, which
is the dossier's fallback when the Zaak has no Kamerstukdossier), the debate (the vote's
agendapunt) and what links an amended motion to the one it replaces (:mod:`motion_ops.chains`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from motion_ops.parsers.feedpage import is_guid
from motion_ops.parsers.feedtime import feed_instant
from motion_ops.parsers.substance import is_amended, normalise_dossier, parse_kamerstuk, replaced_kamerstuk

MOTION_DOC_KINDS = ("Motie", "Motie (gewijzigd/nader)")


@dataclass(frozen=True)
class Raw:
    """A raw entity as stored: ``data`` is ``{"bijgewerkt", "deleted", "fields", "refs"}``."""

    id: str
    deleted: bool
    data: dict[str, Any]

    def f(self, name: str) -> str | None:
        return (self.data.get("fields") or {}).get(name)

    def ref(self, rel: str) -> str | None:
        ids = self.refs(rel)
        return ids[0] if ids else None

    def refs(self, rel: str) -> list[str]:
        return [i.lower() for i in (self.data.get("refs") or {}).get(rel) or []]

    @property
    def changed(self) -> tuple[dt.datetime, str]:
        """When the feed last changed the entity, to sort by: the UTC instant its ``bijgewerkt``
        means (so spellings with and without an offset order by the moment), then the text itself
        (a value that is no timestamp sorts first, among such values by its text)."""
        text = self.data.get("bijgewerkt") or ""
        try:
            return feed_instant(text), text
        except ValueError:
            return _NEVER, text


_NEVER = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


Problems = list[dict[str, Any]]  # bad values met while assembling: {entity, category, field, value}


def _guid_ref(entity: Raw, category: str, rel: str, problems: Problems) -> str | None:
    """``entity``'s ``rel`` reference if it is a GUID; otherwise None, and the value is a problem."""
    value = entity.ref(rel)
    if value is None or is_guid(value):
        return value
    problems.append({"entity": entity.id, "category": category, "field": rel, "value": value[:200]})
    return None


_SEAT_COUNT = re.compile(r"\s*[0-9]{1,4}\s*")


def _seats(entity: Raw, problems: Problems) -> int | None:
    """The party's seat count (``fractieGrootte``), or None: unknown (absent, or not a number, which
    is also a problem)."""
    value = entity.f("fractieGrootte")
    if _SEAT_COUNT.fullmatch(value or ""):
        return int(value)
    if value and value.strip():
        problems.append({"entity": entity.id, "category": "Stemming", "field": "fractieGrootte", "value": value[:200]})
    return None


def aggregate_votes(rows: list[Raw], parties: dict[str, str], problems: Problems | None = None) -> list[dict[str, Any]]:
    """Per-party votes of one Besluit's Stemming rows.

    :param parties: Fractie id -> normalised abbreviation.
    :param problems: bad values are appended here (the row counts without them).
    """
    problems = [] if problems is None else problems
    live = [r for r in rows if not r.deleted and (r.f("vergissing") or "false").lower() != "true" and r.f("soort")]
    per_party: dict[str, dict[str, Any]] = {}
    seen: set[tuple[str, str]] = set()
    for r in sorted(live, key=lambda r: r.changed, reverse=True):  # newest duplicate wins
        fid = _guid_ref(r, "Stemming", "fractie", problems)
        party = parties.get(fid or "") or r.f("actorFractie") or r.f("actorNaam") or "?"
        member = r.ref("persoon") or r.f("sidActorLid")
        key = (party, member or "")
        if key in seen:
            continue
        seen.add(key)
        p = per_party.setdefault(party, {"party": party, "fractie_id": fid, "voor": 0, "tegen": 0, "seats": 0,
                                         "roll_call": False, "vote": None})
        soort = r.f("soort")
        if member:  # roll call: one row per member
            if not p["roll_call"]:  # the members count, not a party row's seats (which may be unknown: None)
                p.update(voor=0, tegen=0, seats=0, roll_call=True)
            p["voor"] += soort == "Voor"
            p["tegen"] += soort == "Tegen"
            p["seats"] += 1
        else:
            p["vote"] = soort
            p["seats"] = _seats(r, problems)  # None: unknown, and so are its seats on the side it voted
            p["voor"] = p["seats"] if soort == "Voor" else 0
            p["tegen"] = p["seats"] if soort == "Tegen" else 0
    out = []
    for p in per_party.values():
        if p.pop("roll_call"):
            p["vote"] = "Voor" if p["voor"] > p["tegen"] else "Tegen" if p["tegen"] > p["voor"] else "Niet deelgenomen"
        out.append(p)
    return sorted(out, key=lambda p: p["party"])


def assemble_motion(zaak: Raw, *, documents: list[Raw], dossiers: dict[str, Raw], actors: list[Raw],
                    besluiten: list[Raw], stemmingen: dict[str, list[Raw]], parties: dict[str, str],
                    versies: dict[str, list[Raw]] | None = None) -> dict[str, Any] | None:
    """The motion row (with ``votes`` and ``problems``, the bad values left out) for one Zaak; a
    deleted Zaak, or one that is not (or no longer) a motion, is ``{"id", "deleted": True}``."""
    if zaak.deleted or zaak.f("soort") != "Motie":
        return {"id": zaak.id, "deleted": True}
    problems: Problems = []
    docs = [d for d in documents if d.f("soort") in MOTION_DOC_KINDS]
    live_docs = sorted((d for d in docs if not d.deleted), key=lambda d: (d.f("datum") or "", d.changed))
    doc = live_docs[-1] if live_docs else None
    dossier = dossiers.get(zaak.ref("kamerstukdossier") or "")
    dossier_nr = None
    if dossier is not None and not dossier.deleted:
        dossier_nr = normalise_dossier(" ".join(x for x in (dossier.f("nummer"), dossier.f("toevoeging")) if x))
    kamerstuk = _kamerstuk(doc, (versies or {}).get(doc.id, []) if doc else [])
    if dossier_nr is None and kamerstuk:  # no Kamerstukdossier ref: the DocumentVersie's externeidentifier has it
        dossier_nr = kamerstuk.rsplit("-", 1)[0]
    actors = sorted((a for a in actors if not a.deleted and (a.f("relatie") or "").endswith("ndiener")),
                    key=lambda a: (a.f("relatie") != "Indiener", a.f("actorNaam") or ""))
    votes: list[dict[str, Any]] = []
    outcome = None
    voted = sorted((b for b in besluiten if not b.deleted and (b.f("besluitSoort") or "").startswith("Stemmen -")
                    and stemmingen.get(b.id)), key=lambda b: b.changed)
    debate = None
    if voted:
        besluit = voted[-1]
        outcome = (besluit.f("besluitSoort") or "").split("-", 1)[1].strip() or None
        votes = aggregate_votes(stemmingen[besluit.id], parties, problems)
        debate = _guid_ref(besluit, "Besluit", "agendapunt", problems)
    title = zaak.f("onderwerp") or zaak.f("titel")
    motion = {
        "id": zaak.id,
        "nummer": zaak.f("nummer"),
        "title": title,
        "dossier_title": zaak.f("titel"),
        "dossier": dossier_nr,
        "submitters": [f"{a.f('actorNaam')} ({a.f('actorFractie')})" if a.f("actorFractie") else a.f("actorNaam")
                       for a in actors if a.f("actorNaam")],
        "started_on": _date(zaak.f("gestartOp")),
        "document_id": doc.id if doc else None,
        "document_versie_id": _guid_ref(doc, "Document", "huidigeDocumentVersie", problems) if doc else None,
        "document_nummer": doc.f("documentNummer") if doc else None,
        "outcome": outcome,
        "kamerstuk": kamerstuk,
        "debate_id": debate,
        "replaces_kamerstuk": replaced_kamerstuk(title),
        "replaces_ids": sorted(r for r in zaak.refs("vervangenVanuit") if is_guid(r)),
        "amended": is_amended(title, doc.f("soort") if doc else None),
        # every motion document deleted (and none left): the motion is gone
        "deleted": bool(docs) and doc is None,
        "votes": votes,
    }
    motion["source_hash"] = hashlib.sha256(json.dumps(motion, sort_keys=True, default=str).encode()).hexdigest()
    motion["problems"] = problems
    return motion


def _kamerstuk(doc: Raw | None, versies: list[Raw]) -> str | None:
    """"19637-3384" from the externeidentifier (``kst-19637-3384``) of the document's current
    version (else its newest live version)."""
    if doc is None:
        return None
    live = sorted((v for v in versies if not v.deleted), key=lambda v: (v.id == doc.ref("huidigeDocumentVersie"), v.changed))
    for versie in reversed(live):
        parsed = parse_kamerstuk(versie.f("externeidentifier"))
        if parsed:
            return f"{parsed[0]}-{parsed[1]}"
    return None
