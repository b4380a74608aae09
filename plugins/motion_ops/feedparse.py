"""Parse Tweede Kamer SyncFeed pages (Atom + tkData) into typed entities.

Elements are matched by namespace URI, never by prefix (``tk:``, ``ns1:`` and none all occur).
XML is parsed hardened (:func:`parse_xml`): DTDs and entity declarations are refused before
expat sees the bytes, so an XML bomb or an external-entity trick fails fast with
:class:`FeedFormatError`, and nothing is ever fetched.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import xml.etree.ElementTree as _FastET


ATOM = "http://www.w3.org/2005/Atom"
TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

_A_ENTRY = f"{{{ATOM}}}entry"
_A_LINK = f"{{{ATOM}}}link"
_A_TITLE = f"{{{ATOM}}}title"
_A_CONTENT = f"{{{ATOM}}}content"
_XSI_NIL = f"{{{XSI}}}nil"
_TK_VERWIJDERD = f"{{{TK}}}verwijderd"
_TK_BIJGEWERKT = f"{{{TK}}}bijgewerkt"


class FeedFormatError(ValueError):
    """The payload is not a well-formed, safe SyncFeed page; ``where`` names the source."""


@dataclass(slots=True)
class FeedEntity:
    """One tkData entity from a feed entry.

    ``fields`` holds scalar children (``None`` for ``xsi:nil``); ``refs`` the relation children
    (``<tk:zaak ref="…"/>``) as lists of ids. A tombstone has ``deleted`` true and no children.
    Treat it as read-only (not frozen only because a sync builds ~10^5 of them and a frozen
    dataclass takes 2.7x as long to construct: 1.7 us against 0.6 us).
    """

    category: str
    id: str
    bijgewerkt: str | None
    deleted: bool
    fields: dict[str, str | None] = field(default_factory=dict)
    refs: dict[str, list[str]] = field(default_factory=dict)
    skiptoken: int | None = None

    def raw_json(self) -> str:
        """``raw()`` as canonical JSON (sorted keys)."""
        return json.dumps(self.raw(), sort_keys=True, ensure_ascii=False)

    @property
    def content_hash(self) -> str:
        """A stable fingerprint of what the entity says (change time, deleted flag, fields, refs),
        not of where the feed put it. (The store compares ``raw()`` itself, as jsonb.)"""
        return hashlib.sha256(self.raw_json().encode()).hexdigest()

    def raw(self) -> dict[str, Any]:
        """The entity as a JSON-able dict (stored as ``raw_entities.data``; an entity re-emitted
        with an equal one changes nothing in the store)."""
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


_TK_NAMES: dict[str, str] = {}  # "{tkData uri}zaak" -> "zaak"; any other namespace -> ""


def _tk_name(tag: str) -> str:
    ns, local = _local(tag)
    name = local if ns == TK else ""
    if len(_TK_NAMES) < 10_000:  # tags come from a small schema; don't grow without bound on junk
        _TK_NAMES[tag] = name
    return name


def canonical_category(local_name: str) -> str:
    """``documentVersie`` -> ``DocumentVersie`` (the SyncFeed category spelling)."""
    return local_name[:1].upper() + local_name[1:]


_CATEGORIES: dict[str, str] = {}  # "{tkData uri}documentVersie" -> "DocumentVersie"


def parse_entity(el: Element, skiptoken: int | None = None) -> FeedEntity:
    """Turn one tkData entity element into a :class:`FeedEntity`.

    Called once per feed entity (~10^5 times in a full sync), so the common case takes the
    short way: tag spellings come from caches, children without attributes skip the ``ref`` and
    ``xsi:nil`` lookups, and a ``verwijderd="false"`` needs no normalising.
    """
    tag = el.tag
    category = _CATEGORIES.get(tag)
    if category is None:
        kind = _tk_name(tag)
        if not kind:
            raise FeedFormatError(f"entity element {tag!r} is not in the tkData namespace")
        category = canonical_category(kind)
        if len(_CATEGORIES) < 1_000:
            _CATEGORIES[tag] = category
    attrib = el.attrib
    ent_id = attrib.get("id")
    if not ent_id:
        raise FeedFormatError(f"{category} entity without an id attribute")
    # tk:bijgewerkt and tk:verwijderd are namespace-qualified in the feed; accept unqualified ones too
    verwijderd = attrib.get(_TK_VERWIJDERD) or attrib.get("verwijderd")
    deleted = verwijderd is not None and verwijderd != "false" and verwijderd.strip().lower() == "true"
    fields: dict[str, str | None] = {}
    refs: dict[str, list[str]] = {}
    names = _TK_NAMES
    for child in el:
        name = names.get(child.tag)
        if name is None:
            name = _tk_name(child.tag)
        if not name:  # not in the tkData namespace
            continue
        if child.keys():  # most fields have no attributes: skip the lookups
            ref = child.get("ref")
            if ref is not None:
                if name in refs:
                    refs[name].append(ref)
                else:
                    refs[name] = [ref]
                continue
            if (child.get(_XSI_NIL) or "").lower() == "true":
                fields[name] = None
                continue
        text = child.text
        fields[name] = text.strip() if text else ""
    return FeedEntity(category, ent_id.lower(), attrib.get(_TK_BIJGEWERKT) or attrib.get("bijgewerkt"),
                      deleted, fields, refs, skiptoken)


_ENCODING_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def parse_xml(data: bytes | str, *, where: str = "payload") -> Element:
    """Parse XML safely (no DTD, no entities, no network) or raise :class:`FeedFormatError`.

    Feed pages and publications never carry a DTD, so any document type or entity declaration
    is refused before parsing; without one there is nothing to expand, and ElementTree never
    fetches anything. Only UTF-8 is accepted (a declared other encoding, a UTF-16/32 byte order
    mark or NUL bytes up front are refused, and expat rejects invalid UTF-8), so the byte scan
    cannot be dodged by another encoding. The bytes go to expat's C tree builder as they are
    (decoding them to ``str`` first costs as much again; defusedxml's Python-level parser 3x).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    head = raw[:200]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        raise FeedFormatError(f"{where}: not UTF-8 (UTF-16/32 byte order)")
    decl = _ENCODING_DECL.match(head.removeprefix(b"\xef\xbb\xbf"))
    if decl and decl.group(1).decode("ascii").lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise FeedFormatError(f"{where}: refused XML in encoding {decl.group(1).decode('ascii')!r} (only UTF-8)")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise FeedFormatError(f"{where}: refused unsafe XML (DTD or entity declaration)")
    try:
        return _FastET.fromstring(raw)
    except ParseError as exc:
        raise FeedFormatError(f"{where}: malformed XML: {exc}") from exc


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
    for entry in root:  # entries are the feed's children: no need to walk every element
        if entry.tag != _A_ENTRY:
            continue
        # The feed's layout ends an entry with <link rel="next"> and <content>: read those two
        # directly; any other layout is searched (the last content and next link win either way).
        content = link = None
        if len(entry) > 1:
            content, link = entry[-1], entry[-2]
            if content.tag != _A_CONTENT or link.tag != _A_LINK or link.get("rel") != "next":
                content = link = None
        if content is None:
            for child in entry:
                tag = child.tag
                if tag == _A_CONTENT:
                    content = child
                elif tag == _A_LINK and child.get("rel") == "next":
                    link = child
        if content is None or not len(content):
            raise FeedFormatError(f"{where}: entry {entry.findtext(_A_TITLE)!r} has no entity in its content")
        entities.append(parse_entity(content[0], skiptoken_of(link.get("href")) if link is not None else None))
    return FeedPage(entities=entities, next_skiptoken=next_token, resume=resume)
