"""Signed links of a subscription: ``confirm`` (the double opt-in) and ``manage`` (its page, one-click
unsubscribe, "delete everything about me"). A token is the subscription's id and an HMAC of it and
its purpose; the secret comes from the environment and never appears in a log, an error or a page."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid

CONFIRM, MANAGE = "confirm", "manage"
_ENV = "MOTION_ALERTS_SECRET"


class BadToken(ValueError):
    """Not a link this site issued (tampered, truncated, or for another purpose); the message is Dutch (a reader sees it)."""


MIN_SECRET = 16


def secret() -> bytes:
    """``MOTION_ALERTS_SECRET`` (at least :data:`MIN_SECRET` characters); the readers' app and
    ``motion_alerts`` must see the same. It is the links' own key, never derived from another
    secret: the links live in mailboxes for years (the one-click unsubscribe among them) and must
    survive a rotation of, say, Airflow's JWT secret.

    :raises RuntimeError: not set, or too short (links made now could be forged or would not survive).
    """
    given = os.environ.get(_ENV) or ""
    if not given:
        raise RuntimeError(f"e-mail alerts need a secret for their links: set {_ENV} (the same for the readers' app "
                           "and the workers; changing it breaks every link already mailed)")
    if len(given) < MIN_SECRET:
        raise RuntimeError(f"{_ENV} is too short: use at least {MIN_SECRET} characters")
    return given.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _mac(key: bytes, purpose: str, raw: bytes) -> bytes:
    return hmac.new(key, purpose.encode() + b"\0" + raw, hashlib.sha256).digest()[:16]


def sign(key: bytes, purpose: str, subscription_id: str) -> str:
    """The token of ``subscription_id`` for ``purpose`` (URL-safe, 45 characters)."""
    raw = uuid.UUID(subscription_id).bytes
    return f"{_b64(raw)}.{_b64(_mac(key, purpose, raw))}"


def verify(key: bytes, purpose: str, token: str) -> str:
    """The subscription id a token of ``purpose`` carries.

    :raises BadToken: anything else.
    """
    try:
        head, mac = (base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in token.split("."))
        if len(head) != 16:
            raise ValueError
    except (ValueError, TypeError):
        raise BadToken("hij is onvolledig of beschadigd") from None
    if not hmac.compare_digest(mac, _mac(key, purpose, head)):
        raise BadToken("hij komt niet van deze site")
    return str(uuid.UUID(bytes=head))
