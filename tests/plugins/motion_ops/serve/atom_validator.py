"""A check of an Atom 1.0 document (RFC 4287) with the standard library, for the tests: the elements
a feed and each entry must have, dates in RFC 3339, absolute links; ``feedparser`` reads it too
where it is installed (tests/plugins/motion_ops/serve/test_feeds.py)."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

A = "{http://www.w3.org/2005/Atom}"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _date(el: ET.Element | None, where: str) -> dt.datetime:
    assert el is not None and el.text and _RFC3339.match(el.text), f"{where}: updated {el.text if el is not None else None!r}"
    return dt.datetime.fromisoformat(el.text.replace("Z", "+00:00"))


def _absolute(href: str | None, where: str) -> str:
    assert href and urlparse(href).scheme in ("http", "https") and urlparse(href).netloc, f"{where}: link {href!r}"
    return href


def validate(body: bytes) -> dict:
    """The feed as ``{"id", "title", "updated", "self", "entries": [{"id", "title", "updated", "link"}]}``;
    raises AssertionError on the first missing or malformed element."""
    root = ET.fromstring(body)
    assert root.tag == A + "feed", root.tag
    for tag in ("id", "title", "updated"):
        assert len(root.findall(A + tag)) == 1, f"feed: exactly one {tag}"
    links = root.findall(A + "link")
    selfs = [link for link in links if link.get("rel") == "self"]
    assert len(selfs) == 1 and selfs[0].get("type") == "application/atom+xml", "feed: one rel=self link"
    feed_author = root.find(A + "author")
    entries = []
    for e in root.findall(A + "entry"):
        for tag in ("id", "title", "updated"):
            assert len(e.findall(A + tag)) == 1, f"entry: exactly one {tag}"
        alternate = [link for link in e.findall(A + "link") if link.get("rel", "alternate") == "alternate"]
        assert alternate or e.find(A + "content") is not None, "entry: a content or an alternate link"
        assert feed_author is not None or e.find(A + "author") is not None, "entry: an author (or the feed's)"
        entries.append({"id": e.findtext(A + "id"), "title": e.findtext(A + "title"),
                        "updated": _date(e.find(A + "updated"), "entry"),
                        "link": _absolute(alternate[0].get("href"), "entry") if alternate else None,
                        "summary": e.findtext(A + "summary")})
    assert len({e["id"] for e in entries}) == len(entries), "entry ids are unique"
    return {"id": root.findtext(A + "id"), "title": root.findtext(A + "title"),
            "updated": _date(root.find(A + "updated"), "feed"), "self": _absolute(selfs[0].get("href"), "feed"),
            "entries": entries}
