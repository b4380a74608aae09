"""Hardened XML parsing for everything fetched from the API (feed pages, publications).

No DTD, no entity declarations, no network, UTF-8 only: anything else raises :class:`XmlError`
before or while expat parses the bytes.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.etree.ElementTree import Element, ParseError


class XmlError(ValueError):
    """Malformed or unsafe XML (the message names the source)."""


_ENCODING_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def parse_xml(data: bytes | str, *, where: str = "payload") -> Element:
    """Parse XML safely (no DTD, no entities, no network) or raise :class:`XmlError`.

    Feed pages and publications never carry a DTD, so any document type or entity declaration
    is refused before parsing; without one there is nothing to expand, and ElementTree never
    fetches anything. Only UTF-8 is accepted (a declared other encoding, a UTF-16/32 byte order
    mark or NUL bytes up front are refused, and expat rejects invalid UTF-8), so the byte scan
    cannot be dodged by another encoding. The bytes go to expat's C tree builder undecoded.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    head = raw[:200]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        raise XmlError(f"{where}: not UTF-8 (UTF-16/32 byte order)")
    decl = _ENCODING_DECL.match(head.removeprefix(b"\xef\xbb\xbf"))
    if decl and decl.group(1).decode("ascii").lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise XmlError(f"{where}: refused XML in encoding {decl.group(1).decode('ascii')!r} (only UTF-8)")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise XmlError(f"{where}: refused unsafe XML (DTD or entity declaration)")
    try:
        return ET.fromstring(raw)
    except ParseError as exc:
        raise XmlError(f"{where}: malformed XML: {exc}") from exc
