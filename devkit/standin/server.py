"""A local HTTP stand-in for the Tweede Kamer API, serving a :class:`Corpus` over loopback.

Speaks the real protocol: ``/SyncFeed/2.0/Feed?category=X&skiptoken=N`` (Atom pages of up to
250 entries, per-entry and feed-level ``next`` links, an empty page with ``resume`` when caught
up), ``/OData/v4/2.0/DocumentVersie(<id>)/DocumentPublicatie`` and
``/OData/v4/2.0/DocumentPublicatie(<id>)/Resource``, ``/SyncFeed/2.0/Resources/<id>``.

Faults can be injected in-process (:attr:`StandinServer.faults`) or over HTTP
(``POST /_standin/faults``, ``POST /_standin/generation``) so tests and demos can show throttling,
5xx, resets, truncated or oversized bodies and XML bombs.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from devkit.standin._http import BackgroundHTTPServer, StandinHandler
from devkit.standin.corpus import Corpus, Entity

if TYPE_CHECKING:
    from devkit.standin.real import RealCorpus

TK = "http://www.tweedekamer.nl/xsd/tkData/v1-0"
PAGE_SIZE = 250

XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol4;</title></feed>"""


@dataclass
class Fault:
    """One injected fault: requests whose path+query matches ``match`` get ``kind``.

    kinds: ``status`` (answer ``status`` with optional ``retry_after``), ``reset`` (close the
    connection mid-body), ``truncate`` (a 200 whose body stops half-way), ``oversize`` (pad the
    body to ``size`` bytes), ``bomb`` (an entity-expansion XML bomb), ``latency`` (sleep ``seconds``),
    ``trickle`` (send the body ``size`` bytes at a time, ``seconds`` apart), ``body`` (answer 200
    with ``body`` as ``ctype`` instead). ``times`` is how many matching requests it affects (-1: all).
    """

    kind: str
    match: str = ""
    status: int = 500
    retry_after: float | None = None
    times: int = 1
    size: int = 0
    seconds: float = 0.0
    body: bytes | str | None = None
    ctype: str = "application/json"

    def matches(self, target: str) -> bool:
        return self.times != 0 and re.search(self.match, target) is not None


@dataclass
class Faults:
    rules: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **kwargs: Any) -> Fault:
        f = Fault(**kwargs)
        with self.lock:
            self.rules.append(f)
        return f

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def take(self, target: str) -> list[Fault]:
        """The faults that apply to this request (counting it against their ``times``)."""
        hit = []
        with self.lock:
            for f in self.rules:
                if f.matches(target):
                    if f.times > 0:
                        f.times -= 1
                    hit.append(f)
        return hit


def _entity_xml(e: Entity, prefix: str) -> str:
    p = f"{prefix}:" if prefix else ""
    ns = f' xmlns:{prefix}="{TK}"' if prefix else f' xmlns="{TK}" xmlns:tk="{TK}"'
    attr_p = f"{prefix}:" if prefix else "tk:"
    head = (f'<{p}{_el(e.category)}{ns} id="{e.id}" {attr_p}bijgewerkt="{e.bijgewerkt}" '
            f'{attr_p}verwijderd="{"true" if e.deleted else "false"}"')
    if e.deleted:
        return head + " />"
    parts = [head + ">"]
    for name, value in e.fields:
        if value is None:
            parts.append(f'<{p}{name} xsi:nil="true" />')
        else:
            parts.append(f"<{p}{name}>{escape(value)}</{p}{name}>")
    for name, ref in e.refs:
        parts.append(f'<{p}{name} ref="{ref}" />')
    parts.append(f"</{p}{_el(e.category)}>")
    return "".join(parts)


def _el(category: str) -> str:
    return category[:1].lower() + category[1:]


class StandinServer(BackgroundHTTPServer):
    """Serve ``corpus`` on ``127.0.0.1:port`` (0 = any free port) in a background thread.

    :param generation: feed generation served at start (see :class:`Corpus`).
    :param prefix: namespace prefix for entity elements ("" like the live feed, or "tk"/"ns1"), or a
        tuple of them used in turn, entry by entry (a feed with the prefixes mixed, within a page too).
    """

    thread_name = "standin"

    def __init__(self, corpus: "Corpus | RealCorpus | None" = None, *, port: int = 0, generation: int = 1,
                 prefix: str | tuple[str, ...] = "", page_size: int = PAGE_SIZE, host: str = "127.0.0.1"):
        self.corpus = corpus or Corpus()
        self.generation = generation
        self.prefix = prefix
        self.page_size = page_size
        self.faults = Faults()
        self.requests: list[str] = []
        self._by_cat: dict[str, list] = {}
        for entry in self.corpus.log:
            self._by_cat.setdefault(entry.entity.category.lower(), []).append(entry)
        self._serve(host, port, self._handler())

    def add(self, entity: Entity, *, generation: int = 1, page_category: str | None = None) -> int:
        """Append ``entity`` to the feed (in ``page_category``'s pages if given); returns its skiptoken."""
        self.corpus.emit(entity, generation)
        entry = self.corpus.log[-1]
        self._by_cat.setdefault((page_category or entity.category).lower(), []).append(entry)
        return entry.skiptoken

    # -- content ---------------------------------------------------------------------------------
    def feed_page(self, category: str, skiptoken: int) -> bytes:
        base = self.url
        entries = [e for e in self._by_cat.get(category.lower(), [])
                   if e.skiptoken > skiptoken and e.generation <= self.generation][: self.page_size]
        self_href = f"{base}/SyncFeed/2.0/Feed?skiptoken={skiptoken}&amp;category={category}"
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
               f"<title>Gegevensmagazijn SyncFeed (category: {escape(category)})</title>",
               f'<link rel="self" href="{self_href}" />']
        if entries:
            out.append(f'<link rel="next" href="{base}/SyncFeed/2.0/Feed?skiptoken={entries[-1].skiptoken}&amp;category={category}" />')
        else:
            out.append(f'<link rel="resume" href="{self_href}" />')
        out.append(f"<updated>{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}</updated>")
        out.append("<author><name>Tweede Kamer der Staten-Generaal</name></author>")
        prefixes = (self.prefix,) if isinstance(self.prefix, str) else self.prefix
        for i, e in enumerate(entries):
            ent = e.entity
            out.append(
                f"<entry><title>{ent.id}</title><id>{base}/SyncFeed/2.0/Entiteiten/{ent.id}</id>"
                f"<author><name>Tweede Kamer der Staten-Generaal</name></author><updated>{ent.bijgewerkt[:19]}Z</updated>"
                f'<category term="{ent.category.lower()}" />'
                f'<link rel="next" href="{base}/SyncFeed/2.0/Feed?skiptoken={e.skiptoken}&amp;category={category}" />'
                f'<content type="application/xml">{_entity_xml(ent, prefixes[i % len(prefixes)])}</content></entry>')
        out.append("</feed>")
        return "".join(out).encode()

    def publications_json(self, versie_id: str) -> bytes:
        value = []
        for pid in self.corpus.versie_publications.get(versie_id, []):
            pub = self.corpus.publications[pid]
            if pub.generation > self.generation:
                continue
            value.append({"Id": pid, "Identifier": pub.identifier, "DocumentType": "Xml",
                          "FileName": f"{pub.identifier}.xml", "Source": "Koop", "ContentLength": len(pub.xml),
                          "ContentType": "application/xml", "Url": None, "Verwijderd": False,
                          "DocumentVersie_Id": versie_id})
        return json.dumps({"@odata.context": f"{self.url}/OData/v4/2.0/$metadata#DocumentPublicatie",
                           "value": value}).encode()

    # -- HTTP --------------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(StandinHandler):
            def _send(self, status: int, body: bytes, ctype: str = "application/xml",
                      headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                path = urlsplit(self.path).path
                if path == "/_standin/faults":
                    server.faults.clear()
                    for rule in payload.get("faults", []):
                        server.faults.add(**rule)
                elif path == "/_standin/generation":
                    server.generation = int(payload["generation"])
                else:
                    return self._send(404, b"{}", "application/json")
                self._send(200, json.dumps({"ok": True}).encode(), "application/json")

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                server.requests.append(self.path)
                faults = server.faults.take(self.path)
                for f in faults:
                    if f.kind == "latency":
                        time.sleep(f.seconds)
                for f in faults:
                    if f.kind == "status":
                        hdrs = {"Retry-After": str(int(f.retry_after))} if f.retry_after is not None else {}
                        return self._send(f.status, b"<error>injected</error>", headers=hdrs)
                    if f.kind == "bomb":
                        return self._send(200, XML_BOMB)
                    if f.kind == "body":
                        return self._send(200, f.body.encode() if isinstance(f.body, str) else f.body, f.ctype)
                status, body, ctype = self._route()
                for f in faults:
                    if f.kind == "oversize":
                        body = body + b"<!--" + b"x" * max(0, f.size - len(body)) + b"-->"
                    elif f.kind == "truncate":
                        body = body[: len(body) // 2]
                    elif f.kind == "trickle":
                        self.send_response(200)
                        self.send_header("Content-Type", ctype)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        for i in range(0, len(body), max(1, f.size)):
                            self.wfile.write(body[i:i + max(1, f.size)])
                            self.wfile.flush()
                            time.sleep(f.seconds)
                        return
                    elif f.kind == "reset":
                        self.send_response(200)
                        self.send_header("Content-Type", ctype)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body[: len(body) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                self._send(status, body, ctype)

            def _route(self) -> tuple[int, bytes, str]:
                parts = urlsplit(self.path)
                q = parse_qs(parts.query)
                path = parts.path
                if path == "/SyncFeed/2.0/Feed":
                    category = (q.get("category") or [""])[0]
                    token = int((q.get("skiptoken") or ["0"])[0])
                    return 200, server.feed_page(category, token), "application/atom+xml; charset=utf-8"
                m = re.fullmatch(r"/OData/v4/2\.0/DocumentVersie\(([0-9a-f-]+)\)/DocumentPublicatie", path)
                if m:
                    return 200, server.publications_json(m.group(1)), "application/json; odata.metadata=minimal"
                m = re.fullmatch(r"/OData/v4/2\.0/DocumentPublicatie\(([0-9a-f-]+)\)/Resource", path)
                if m:
                    pub = server.corpus.publications.get(m.group(1))
                    if pub is None or pub.generation > server.generation:
                        return 404, b"<error>not found</error>", "application/xml"
                    return 200, pub.xml, "application/xml"
                if path.startswith("/SyncFeed/2.0/Resources/"):
                    pdf = server.corpus.document_pdfs.get(path.rsplit("/", 1)[1])
                    if pdf is not None:
                        return 200, pdf, "application/pdf"
                    return 404, b"<error>not yet available</error>", "application/xml"
                return 404, b"<error>unknown path</error>", "application/xml"

        return Handler


def main() -> None:
    """``python -m devkit.standin.server --port 8765 [--real]``: serve the generated sample corpus (or
    the 638 real motions of ``devkit/data``) until killed."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--generation", type=int, default=1)
    ap.add_argument("--motions", type=int, default=320)
    ap.add_argument("--real", action="store_true", help="the 638 real motions of devkit/data instead of generated ones")
    args = ap.parse_args()
    from devkit.standin.real import RealCorpus

    srv = StandinServer(RealCorpus() if args.real else Corpus(args.motions), port=args.port, generation=args.generation)
    srv.httpd.serve_forever()


if __name__ == "__main__":
    main()
