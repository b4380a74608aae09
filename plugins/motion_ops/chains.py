"""Versions of one motion: an amended motion ("Gewijzigde motie ...") and the motion it replaces.

Three signals link a motion to an earlier version of itself, strongest first:

- ``zaak``: the Zaak's ``vervangenVanuit`` relation names the replaced Zaak;
- ``tvv``: the title's "(t.v.v. 19637-3370)" names the replaced kamerstuk (dossier and number);
- ``text``: an amended motion without either gets the most similar earlier motion of its dossier
  whose text vector has cosine >= :data:`NEAR_IDENTICAL` with its own.

Linked motions form a chain; its newest live motion (by date, then number) represents it in
neighbour lists, and every other member is *hidden* (nobody's related motion) and listed as an
earlier version of the members dated after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NEAR_IDENTICAL = 0.9


@dataclass
class Version:
    """What the chains need of one motion."""

    id: str
    started_on: str | None = None            # ISO date
    nummer: str | None = None
    dossier: str | None = None
    kamerstuk: str | None = None             # "19637-3384"
    replaces_kamerstuk: str | None = None    # from "(t.v.v. ...)"
    replaces_ids: list[str] = field(default_factory=list)  # Zaak.vervangenVanuit
    amended: bool = False


@dataclass
class Chains:
    edges: list[tuple[str, str, str]]          # (newer, older, signal)
    hidden: set[str]                           # every member but the chain's representative
    earlier: dict[str, list[tuple[str, str]]]  # motion -> [(earlier version, signal)], newest first
    representative: dict[str, str]             # hidden motion -> the motion that represents its chain


def _order(v: Version) -> tuple[str, str]:
    return (v.started_on or "", v.nummer or "")


def link(versions: list[Version], text: np.ndarray | None = None) -> Chains:
    """The chains of ``versions`` (``text``: their unit text vectors, row-aligned, for the text signal)."""
    by_id = {v.id: i for i, v in enumerate(versions)}
    by_kamerstuk = {v.kamerstuk: v.id for v in versions if v.kamerstuk}
    edges: dict[tuple[str, str], str] = {}

    def add(a: str, b: str, signal: str) -> None:
        if a == b or (a, b) in edges or (b, a) in edges:
            return
        newer, older = (a, b) if _order(versions[by_id[a]]) >= _order(versions[by_id[b]]) else (b, a)
        edges[(newer, older)] = signal

    for v in versions:
        for old in v.replaces_ids:
            if old in by_id:
                add(v.id, old, "zaak")
        if v.replaces_kamerstuk and by_kamerstuk.get(v.replaces_kamerstuk) not in (None, v.id):
            add(v.id, by_kamerstuk[v.replaces_kamerstuk], "tvv")
    linked = {x for pair in edges for x in pair}
    if text is not None and len(versions):
        dossiers: dict[str, list[int]] = {}
        for i, v in enumerate(versions):
            if v.dossier:
                dossiers.setdefault(v.dossier, []).append(i)
        for i, v in enumerate(versions):
            if not v.amended or v.id in linked or not v.dossier:
                continue
            cands = [c for c in dossiers[v.dossier] if c != i and _order(versions[c]) <= _order(v)]
            if cands:
                sims = text[cands] @ text[i]
                best = int(np.argmax(sims))
                if sims[best] >= NEAR_IDENTICAL:
                    add(v.id, versions[cands[best]].id, "text")
    parent = {v.id: v.id for v in versions}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for newer, older in edges:
        parent[find(newer)] = find(older)
    groups: dict[str, list[str]] = {}
    for v in versions:
        groups.setdefault(find(v.id), []).append(v.id)
    hidden: set[str] = set()
    earlier: dict[str, list[tuple[str, str]]] = {}
    representative: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda m: _order(versions[by_id[m]]), reverse=True)
        head = members[0]
        for pos, m in enumerate(members):
            if pos:
                hidden.add(m)
                representative[m] = head
            earlier[m] = [(o, edges.get((m, o), "chain")) for o in members[pos + 1:]]
    return Chains(sorted((a, b, s) for (a, b), s in edges.items()), hidden,
                  {m: e for m, e in earlier.items() if e}, representative)
