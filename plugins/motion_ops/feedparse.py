"""Parse Tweede Kamer SyncFeed pages (Atom + tkData) into typed entities.

Elements are matched by namespace URI, never by prefix (``tk:``, ``ns1:`` and none all occur).
XML is parsed with defusedxml: DTDs, entity declarations and external references are refused,
so an XML bomb or an external-entity trick fails fast with :class:`FeedFormatError`.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import xml.etree.ElementTree as _FastET

from defusedxml import DefusedXmlException

ATOM = "http://www.w3.org/2005/Atom"
TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

_A_ENTRY = f"{{{ATOM}}}entry"
_A_LINK = f"{{{ATOM}}}link"
_A_TITLE = f"{{{ATOM}}}title"
_A_UPDATED = f"{{{ATOM}}}updated"
_A_CONTENT = f"{{{ATOM}}}content"
_XSI_NIL = f"{{{XSI}}}nil"


class FeedFormatError(ValueError):
    """The payload is not a well-formed, safe SyncFeed page; ``where`` names the source."""


@dataclass(frozen=True)
class FeedEntity:
    """One tkData entity from a feed entry.

    ``fields`` holds scalar children (``None`` for ``xsi:nil``); ``refs`` the relation children
    (``<tk:zaak ref="…"/>``) as lists of ids. A tombstone has ``deleted`` true and no children.
    """

    category: str
    id: str
    bijgewerkt: str | None
    deleted: bool
    fields: dict[str, str | None] = field(default_factory=dict)
    refs: dict[str, list[str]] = field(default_factory=dict)
    skiptoken: int | None = None
    updated: str | None = None

    def raw_json(self) -> str:
        """``raw()`` as canonical JSON (sorted keys): what is stored and what is hashed."""
        return json.dumps(self.raw(), sort_keys=True, ensure_ascii=False)

    @property
    def content_hash(self) -> str:
        """Hash of what the entity says (change time, deleted flag, fields, refs)."""
        return hashlib.sha256(self.raw_json().encode()).hexdigest()

    def raw(self) -> dict[str, Any]:
        """The entity as a JSON-able dict (stored as ``raw_entities.data``)."""
        return {"bijgewerkt": self.bijgewerkt, "deleted": self.deleted, "fields": self.fields, "refs": self.refs}

    def ref(self, rel: str) -> str | None:
        ids = self.refs.get(rel)
        return ids[0] if ids else None


@dataclass(frozen=True)
class FeedPage:
    """A parsed page: its entities, where to continue, and whether the feed is caught up."""

    entities: list[FeedEntity]
    next_skiptoken: int | None
    resume: bool


_SKIPTOKEN = re.compile(r"[?&]skiptoken=(\d+)")


def skiptoken_of(href: str | None) -> int | None:
    """The ``skiptoken`` query value of a feed link, or None."""
    m = _SKIPTOKEN.search(href or "")
    return int(m.group(1)) if m else None


def _local(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag


def _attr(el: Element, name: str) -> str | None:
    # tk:bijgewerkt is namespace-qualified in the feed; accept an unqualified one too
    return el.get(f"{{{TK}}}{name}", el.get(name))


def canonical_category(local_name: str) -> str:
    """``documentVersie`` -> ``DocumentVersie`` (the SyncFeed category spelling)."""
    return local_name[:1].upper() + local_name[1:]


def parse_entity(el: Element, *, skiptoken: int | None = None, updated: str | None = None) -> FeedEntity:
    """Turn one tkData entity element into a :class:`FeedEntity`."""
    ns, local = _local(el.tag)
    if ns != TK:
        raise FeedFormatError(f"entity element {el.tag!r} is not in the tkData namespace")
    ent_id = el.get("id")
    if not ent_id:
        raise FeedFormatError(f"{local} entity without an id attribute")
    deleted = (_attr(el, "verwijderd") or "false").strip().lower() == "true"
    fields: dict[str, str | None] = {}
    refs: dict[str, list[str]] = {}
    for child in el:
        cns, name = _local(child.tag)
        if cns != TK:
            continue
        ref = child.get("ref")
        if ref is not None:
            refs.setdefault(name, []).append(ref)
        elif (child.get(_XSI_NIL) or "").lower() == "true":
            fields[name] = None
        else:
            fields[name] = (child.text or "").strip()
    return FeedEntity(
        category=canonical_category(local), id=ent_id.lower(), bijgewerkt=_attr(el, "bijgewerkt"),
        deleted=deleted, fields=fields, refs=refs, skiptoken=skiptoken, updated=updated,
    )


_ENCODING_DECL = re.compile(r"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def parse_xml(data: bytes | str, *, where: str = "payload") -> Element:
    """Parse XML safely (no DTD, no entities, no network) or raise :class:`FeedFormatError`.

    Feed pages and publications never carry a DTD, so any document type or entity declaration
    is refused before parsing; without one there is nothing to expand, and ElementTree never
    fetches anything. Only UTF-8 is accepted, so the check cannot be dodged by another encoding.
    This keeps expat's fast C tree builder (defusedxml's Python callbacks cost 3x); defusedxml
    remains as a second line for whatever slips through.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    except UnicodeDecodeError as exc:
        raise FeedFormatError(f"{where}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    decl = _ENCODING_DECL.match(text[:200])
    if decl and decl.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise FeedFormatError(f"{where}: refused XML in encoding {decl.group(1)!r} (only UTF-8)")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise FeedFormatError(f"{where}: refused unsafe XML (DTD or entity declaration)")
    if decl:  # ElementTree refuses an encoding declaration in an already decoded string
        text = text[decl.end():].split("?>", 1)[1] if "?>" in text[decl.end():] else text
    try:
        return _FastET.fromstring(text)
    except ParseError as exc:
        raise FeedFormatError(f"{where}: malformed XML: {exc}") from exc
    except DefusedXmlException as exc:  # pragma: no cover - the scan above refuses these first
        raise FeedFormatError(f"{where}: refused unsafe XML ({type(exc).__name__})") from exc


def parse_page(data: bytes | str, *, where: str = "feed page") -> FeedPage:
    """Parse one SyncFeed Atom page.

    :raises FeedFormatError: malformed, truncated or unsafe XML, or not an Atom feed.
    """
    root = parse_xml(data, where=where)
    if root.tag != f"{{{ATOM}}}feed":
        raise FeedFormatError(f"{where}: root element is {root.tag!r}, expected an Atom feed")
    next_token: int | None = None
    resume = False
    for link in root.findall(_A_LINK):
        rel = link.get("rel")
        if rel == "next":
            next_token = skiptoken_of(link.get("href"))
        elif rel == "resume":
            resume = True
    entities = []
    for entry in root.iter(_A_ENTRY):
        token = None
        for link in entry.findall(_A_LINK):
            if link.get("rel") == "next":
                token = skiptoken_of(link.get("href"))
        content = entry.find(_A_CONTENT)
        body = [c for c in content] if content is not None else []
        if not body:
            title = entry.findtext(_A_TITLE)
            raise FeedFormatError(f"{where}: entry {title!r} has no entity in its content")
        entities.append(parse_entity(body[0], skiptoken=token, updated=entry.findtext(_A_UPDATED)))
    return FeedPage(entities=entities, next_skiptoken=next_token, resume=resume)
