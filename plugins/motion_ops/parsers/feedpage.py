"""Parse Tweede Kamer SyncFeed pages (Atom + tkData) into typed entities.

Elements are matched by namespace URI, never by prefix (``tk:``, ``ns1:`` and none all occur).
The XML is parsed hardened (:func:`motion_ops.parsers.xmlsafe.parse_xml`); anything that is not
a well-formed, safe SyncFeed page raises :class:`FeedFormatError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from motion_ops.parsers.xmlsafe import XmlError, parse_xml

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
    """The payload is not a well-formed, safe SyncFeed page (the message names the source)."""


@dataclass(slots=True)
class FeedEntity:
    """One tkData entity from a feed entry.

    ``fields`` holds scalar children (``None`` for ``xsi:nil``); ``refs`` the relation children
    (``<tk:zaak ref="…"/>``) as lists of ids. A tombstone has ``deleted`` true and no children.
    Read-only by convention (not frozen: a sync builds ~10^5 of them, and frozen ones construct slower).
    """

    category: str
    id: str
    bijgewerkt: str | None
    deleted: bool
    fields: dict[str, str | None] = field(default_factory=dict)
    refs: dict[str, list[str]] = field(default_factory=dict)
    skiptoken: int | None = None

    def raw(self) -> dict[str, Any]:
        """The entity as a JSON-able dict (stored as ``raw_entities.data``; an entity re-emitted
        with an equal one changes nothing in the store)."""
        return {"bijgewerkt": self.bijgewerkt, "deleted": self.deleted, "fields": self.fields, "refs": self.refs}


@dataclass(frozen=True)
class FeedPage:
    """A parsed page: its entities, where to continue, and whether the feed is caught up."""

    entities: list[FeedEntity]
    next_skiptoken: int | None
    resume: bool


_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_guid(value: str) -> bool:
    """Whether ``value`` is a GUID (what the store's uuid columns take)."""
    return _GUID.fullmatch(value) is not None


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

    :raises FeedFormatError: the element is not a tkData entity or has no id.
    """
    # called once per feed entity: tag spellings are cached, attribute-less children take the short way
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


def parse_page(data: bytes | str, *, where: str = "feed page") -> FeedPage:
    """Parse one SyncFeed Atom page.

    :raises FeedFormatError: malformed, truncated or unsafe XML, or not an Atom feed.
    """
    try:
        root = parse_xml(data, where=where)
    except XmlError as exc:
        raise FeedFormatError(str(exc)) from exc
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
