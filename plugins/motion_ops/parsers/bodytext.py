"""A motion's body text from its official publication XML (KOOP ``officiele-publicatie``) or PDF.

The text is the ``<al>`` paragraphs in document order, each with its whitespace normalised,
joined by newlines; list bullets (``li.nr``) and the header block are left out. Anything we
cannot take text from raises :class:`UnsupportedContent`.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
from typing import Any

from motion_ops.parsers.substance import normalise_dossier
from motion_ops.parsers.xmlsafe import XmlError, parse_xml

log = logging.getLogger(__name__)

_WS = re.compile(r"\s+")


class UnsupportedContent(ValueError):
    """A document type we cannot take text from (recorded and skipped)."""


def normalise(text: str) -> str:
    return _WS.sub(" ", text).strip()


def extract_publication_text(xml: bytes | str, *, where: str = "publication") -> str:
    """The ``<al>`` paragraphs of a publication, in order.

    :raises UnsupportedContent: malformed or unsafe XML, or no ``<al>`` paragraphs at all.
    """
    return extract_publication(xml, where=where)[0]


def extract_publication(xml: bytes | str, *, where: str = "publication") -> tuple[str, str | None, str | None]:
    """From one parse: the text (:func:`extract_publication_text`) and ``(dossier, kamerstuk)``
    (:func:`publication_kamerstuk`).

    :raises UnsupportedContent: malformed or unsafe XML, or no ``<al>`` paragraphs at all.
    """
    try:
        root = parse_xml(xml, where=where)
    except XmlError as exc:
        raise UnsupportedContent(str(exc)) from exc
    paragraphs = []
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
        if tag == "al":
            text = normalise("".join(el.itertext()))
            if text:
                paragraphs.append(text)
    if not paragraphs:
        raise UnsupportedContent(f"{where}: no <al> paragraphs found")
    return ("\n".join(paragraphs), *_kamerstuk(root))


def publication_kamerstuk(xml: bytes | str, *, where: str = "publication") -> tuple[str | None, str | None]:
    """``(dossier, kamerstuk)`` from a publication's ``<dossiernr>`` and ``<ondernummer>``
    ("19 637" and 3384 -> ``("19637", "19637-3384")``); None for what it does not carry."""
    try:
        return _kamerstuk(parse_xml(xml, where=where))
    except XmlError:
        return None, None


def _kamerstuk(root: Any) -> tuple[str | None, str | None]:
    found: dict[str, str] = {}
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
        if tag in ("dossiernr", "ondernummer") and tag not in found:
            found[tag] = normalise("".join(el.itertext()))
    dossier = normalise_dossier(found.get("dossiernr"))
    nummer = found.get("ondernummer", "")
    return dossier, (f"{dossier}-{int(nummer)}" if dossier and nummer.isdigit() else None)


def extract_pdf_text(data: bytes, *, where: str = "document") -> str:
    """Text of a PDF via pypdf (optional dependency).

    :raises UnsupportedContent: pypdf missing or the PDF has no extractable text.
    """
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is in requirements.txt
        raise UnsupportedContent(f"{where}: PDF text extraction needs pypdf") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(normalise(p.extract_text() or "") for p in reader.pages)
    except Exception as exc:  # pypdf raises many types for damaged files
        raise UnsupportedContent(f"{where}: unreadable PDF ({type(exc).__name__}: {exc})") from exc
    if not text.strip():
        raise UnsupportedContent(f"{where}: PDF has no text layer")
    return text.strip()


def extract_document_text(content: bytes, content_type: str, *, where: str = "document") -> str:
    """Text from a document resource by its content type (XML publication or PDF)."""
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in ("application/xml", "text/xml"):
        return extract_publication_text(content, where=where)
    if ctype == "application/pdf" or content[:5] == b"%PDF-":
        return extract_pdf_text(content, where=where)
    raise UnsupportedContent(f"{where}: unsupported content type {content_type!r}")


_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` without what PostgreSQL cannot store or a reader cannot use: NUL and other control
    characters (a newline and a tab stay), lone surrogates (replaced by U+FFFD)."""
    text = _UNSTORABLE.sub("", text)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def content_hash(text: str) -> str:
    """The key under which a text's embedding is stored."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
