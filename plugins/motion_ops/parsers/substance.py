"""What of a motion is embedded (its *substance*), and the references its title and numbers carry.

A motion's stored body text stays verbatim. What is embedded is built from it by a versioned
recipe (:data:`RECIPE`): the subject (the ``onderwerp`` without "Motie van het lid X c.s. over"
and without "(t.v.v. ...)"), the dossier title as context, and the considerations and requests,
i.e. the body without its fixed frame ("De Kamer, gehoord de beraadslaging," ... "en gaat over tot
de orde van de dag.") and without the signatories that follow it. The recipe's version is part of
the stored model key (:func:`model_key`), so changing the recipe re-embeds every motion once.
"""
from __future__ import annotations

import re

RECIPE = "substance-v1"

_OPENING = re.compile(r"^\s*de\s+kamer\s*,?\s*(?:gehoord\s+de\s+beraadslaging\s*,?)?\s*", re.I)
_CLOSING = re.compile(r"(?:^|[\s,;])en\s+gaat\s+over\s+tot\s+de\s+orde\s+van\s+de\s+dag\b", re.I)
_SUBJECT = re.compile(r"^\s*(?:nader\s+)?(?:gewijzigde\s+)?motie\s+van\s+(?:het\s+lid|de\s+leden)\s+.+?\s+over\s+",
                      re.I | re.S)
# "(t.v.v. 19637-3370)", or at the end of the title without parentheses ("... t.v.v. 36471-27")
_TVV = re.compile(r"\(\s*t\.\s*v\.\s*v\.\s*(?P<p>[^)]*?)\s*\)|\s*\bt\.\s*v\.\s*v\.\s*(?P<e>[0-9A-Za-z][0-9A-Za-z -]*?)\s*$",
                  re.I)
_AMENDED = re.compile(r"^\s*(?:nader\s+)?gewijzigde\s+motie\b", re.I)
_KAMERSTUK = re.compile(r"^(?:kst-)?(\d+)(?:-([0-9A-Za-z]+))?-(\d+)$", re.I)


def model_key(model: str, recipe: str = RECIPE) -> str:
    """The key vectors are stored under: the provider's model and the recipe that made its input."""
    return f"{model}+{recipe}"


def considerations(body_text: str | None) -> str:
    """The body without its opening frame, its closing formula and what follows it (signatories)."""
    text = _OPENING.sub("", body_text or "", count=1)
    closing = _CLOSING.search(text)
    if closing:
        text = text[:closing.start()]
    return text.strip().rstrip(",;").strip()


def signatories(body_text: str | None) -> list[str]:
    """The names that sign the motion: the lines after its (last) closing formula ("en gaat over tot de
    orde van de dag."), as the publication lists them (surnames); the formula's own punctuation and lines
    without a letter are no names; none when the text has no closing formula."""
    closing = None
    for closing in _CLOSING.finditer(body_text or ""):
        pass
    if closing is None:
        return []
    lines = (line.strip(" \t.,;:") for line in (body_text or "")[closing.end():].split("\n"))
    return [line for line in lines if any(c.isalpha() for c in line) and len(line) <= 80][:30]


def submitters(listed: list[str] | None, body_text: str | None) -> list[str]:
    """Who submitted a motion: the feed's Indieners (ZaakActor) when it names them, else the text's own
    :func:`signatories` (many real motions have no ZaakActor)."""
    return list(listed) if listed else signatories(body_text)


def subject(title: str | None) -> str:
    """The ``onderwerp`` without its "Motie van het lid X over" frame and its "(t.v.v. ...)" reference."""
    text = _TVV.sub("", title or "")
    return _SUBJECT.sub("", text, count=1).strip()


def substance(body_text: str | None, title: str | None, dossier_title: str | None) -> str:
    """The text the recipe embeds (see the module docstring)."""
    parts = [subject(title), (dossier_title or "").strip(), considerations(body_text)]
    return "\n".join(p for p in parts if p)


def is_amended(title: str | None, document_kind: str | None = None) -> bool:
    """A "Gewijzigde motie" (title) or a document of soort "Motie (gewijzigd/nader)"."""
    return bool(_AMENDED.match(title or "")) or (document_kind or "").lower().startswith("motie (gewijzigd")


def parse_kamerstuk(value: str | None) -> tuple[str, str] | None:
    """``kst-<dossier>[-<toevoeging>]-<nr>`` (or without ``kst-``) as ``("<dossier>[-<toevoeging>]", "<nr>")``."""
    m = _KAMERSTUK.match((value or "").strip().replace(" ", ""))
    if not m:
        return None
    dossier = m.group(1) + (f"-{m.group(2).upper() if not m.group(2).isdigit() else m.group(2)}" if m.group(2) else "")
    return dossier, str(int(m.group(3)))


def replaced_kamerstuk(title: str | None) -> str | None:
    """The kamerstuk an amended motion replaces, from "(t.v.v. 19637-3370)" in its title, as "19637-3370"."""
    m = _TVV.search(title or "")
    parsed = parse_kamerstuk(m.group("p") or m.group("e")) if m else None
    return f"{parsed[0]}-{parsed[1]}" if parsed else None


def normalise_dossier(value: str | None) -> str | None:
    """A dossier number as one string: "21 501 32" / "21501 32" -> "21501-32", "19 637" -> "19637"."""
    if not value or not value.strip():
        return None
    parts = value.replace("-", " ").split()
    # "19 637" is one number written with a thousands space; "21501 32" a number and its toevoeging
    merged: list[str] = []
    for p in parts:
        if merged and p.isdigit() and len(p) == 3 and merged[-1].isdigit() and len(merged) == 1 and len(merged[0]) <= 2:
            merged[-1] += p
        else:
            merged.append(p)
    return "-".join(p if p.isdigit() else p.upper() for p in merged)


_REQUEST = re.compile(r"^(?:en\s+)?(?:verzoekt|roept|draagt|spreekt|vraagt|besluit|wenst|dringt|doet|nodigt|geeft|keurt|betreurt)\b",
                      re.I)


def is_request(paragraph: str) -> bool:
    """A paragraph that asks or states something (see :func:`requests`)."""
    return bool(_REQUEST.match(paragraph.strip()))


def requests(body_text: str | None) -> list[str]:
    """The paragraphs of a motion that ask or state something ("verzoekt de regering ...", "roept
    het kabinet op ...", "draagt de regering op ...", "spreekt uit ..."), with the bullet lines
    that follow a request ("verzoekt het kabinet het volgende:") joined to it."""
    out: list[str] = []
    lines = [line.strip() for line in considerations(body_text).splitlines() if line.strip()]
    for line in lines:
        if _REQUEST.match(line):
            out.append(line)
        elif out and out[-1].endswith(":") or (out and out[-1].endswith(";") and not re.match(
                r"^(?:constaterende|overwegende|van\s+mening|gelet|voorts|mede)", line, re.I)):
            out[-1] = f"{out[-1]} {line}"
    return [r.rstrip(",;").strip() for r in out]
