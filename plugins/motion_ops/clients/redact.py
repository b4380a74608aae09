"""Keep credentials out of everything that is stored, logged or raised: error texts of servers
(some echo the request's headers), URLs with ``user:password@``, known secrets of a connection."""
from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"
_SCHEME_AUTH = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=:-]{4,}")
_USERINFO = re.compile(r"(?<=://)[^/\s@]+@")
_KEY_PARAM = re.compile(r"(?i)\b(api[_-]?key|access[_-]?token|token|password|secret)=([^&\s\"']+)")
_KEY_FIELD = re.compile(r"(?i)([\"']?(?:authorization|api[_-]?key|x-api-key)[\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every known secret and anything shaped like a credential replaced by ``***``:
    ``Bearer ...``/``Basic ...``, ``user:pass@`` in URLs, ``api_key=...`` and ``Authorization: ...``."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _SCHEME_AUTH.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _USERINFO.sub(f"{MASK}@", text)
    text = _KEY_PARAM.sub(lambda m: f"{m.group(1)}={MASK}", text)
    return _KEY_FIELD.sub(lambda m: f"{m.group(1)}{MASK}", text)


def split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """``(url without user:password@, (user, password) or None)``: credentials travel as HTTP auth,
    never inside a URL that could end up in an error, a log or the store."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), (unquote(parts.username or ""), unquote(parts.password or ""))
