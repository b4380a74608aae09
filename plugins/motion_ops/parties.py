"""Party identities over time, so votes of different eras compare party by party.

The feed names a vote's party by its Fractie record; one party can appear under several records
and names over time (a Fractie re-created with a new id, abbreviations that changed on 14 Dec
2023, "GroenLinks" in vote rows where the record says "GL") and parties merge (GroenLinks and
PvdA voted apart until they formed GroenLinks-PvdA). :data:`LINEAGE` maps every name and
abbreviation a party has had to one identity; a name it does not know is its own identity.

When two parties of one identity voted on the same motion (before a merge), the identity voted
what they agreed on; if they split, it is missing for that motion (neither agreement nor
disagreement). "Niet deelgenomen" and absence are missing too.
"""
from __future__ import annotations

import re
from typing import Iterable

LINEAGE_VERSION = "lineage-2025.1"

LINEAGE: dict[str, tuple[str, ...]] = {
    "GroenLinks-PvdA": ("GroenLinks-PvdA", "GL-PvdA", "GL/PvdA", "GroenLinks", "GL", "PvdA", "Partij van de Arbeid"),
    "ChristenUnie": ("ChristenUnie", "CU", "CU/SGP"),
    "PvdD": ("PvdD", "Partij voor de Dieren"),
    "FVD": ("FVD", "FvD", "Forum voor Democratie"),
    "BBB": ("BBB", "BoerBurgerBeweging", "BoerBurgerBeweging (BBB)"),
    "NSC": ("NSC", "Nieuw Sociaal Contract"),
    "50PLUS": ("50PLUS", "50+"),
    "BIJ1": ("BIJ1", "Bij1", "Artikel 1"),
    "BVNL": ("BVNL", "Belang van Nederland", "Groep Van Haga", "GrVanHaga"),
    "PVV": ("PVV", "Partij voor de Vrijheid"),
    "VVD": ("VVD", "Volkspartij voor Vrijheid en Democratie"),
    "CDA": ("CDA", "Christen-Democratisch Appèl", "Christen Democratisch Appel"),
    "D66": ("D66", "Democraten 66"),
    "SP": ("SP", "Socialistische Partij"),
    "SGP": ("SGP", "Staatkundig Gereformeerde Partij"),
    "DENK": ("DENK",),
    "JA21": ("JA21", "Juiste Antwoord 2021"),
    "Volt": ("Volt", "Volt Nederland"),
}


def _key(name: str) -> str:
    return re.sub(r"[\s.\-_/()]+", "", name).casefold()


_ALIASES = {_key(alias): identity for identity, aliases in LINEAGE.items() for alias in aliases}
_ALIASES.update({_key(identity): identity for identity in LINEAGE})


def identity(*names: str | None) -> str | None:
    """The identity of the first name the lineage knows (the vote row's party, then its Fractie
    record's abbreviation and name); else the first non-empty name itself."""
    given = [n for n in names if n and n.strip()]
    for name in given:
        found = _ALIASES.get(_key(name))
        if found:
            return found
    return given[0].strip() if given else None


def votes_by_identity(rows: Iterable[tuple[str, str]]) -> dict[str, int]:
    """One motion's votes as ``identity -> +1 (Voor) | -1 (Tegen)``, from ``(identity, vote)`` rows;
    missing: "Niet deelgenomen", and an identity whose parties voted differently."""
    seen: dict[str, set[int]] = {}
    for ident, vote in rows:
        sign = 1 if vote == "Voor" else -1 if vote == "Tegen" else 0
        if sign:
            seen.setdefault(ident, set()).add(sign)
    return {ident: signs.pop() for ident, signs in seen.items() if len(signs) == 1}
