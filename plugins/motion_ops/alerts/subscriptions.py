"""Subscriptions to e-mail digests, with double opt-in: what a reader may follow (:class:`Follow`,
checked before anything is stored), and the store's functions a signed link calls. Only the
address, what it follows, how often, when it was requested and confirmed, and its progress are
stored; unsubscribing deletes the row, "delete everything about me" every row of the address."""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any

from motion_ops.alerts.digest import describe
from motion_ops.parties import identity
from motion_ops.store.db import Store, sql

KINDS = ("search", "dossier", "party", "like")
FREQUENCIES = ("daily", "weekly")
MODES = ("text", "semantic", "hybrid")
MAX_EMAIL = 254
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_TOKEN = re.compile(r"^[0-9A-Za-z-]{1,64}$")  # a dossier number or a motion key, as the pages take them
_FILTERS = ("party", "vote", "outcome", "dossier", "since", "until")
_BREAKS = ("Cc", "Zl", "Zp")  # control characters (line ends among them) and the Unicode line and paragraph separators
#: confirmation mails to one address an hour, and its requests waiting for confirmation (a week at most)
MAX_MAILS_PER_HOUR, MAX_OPEN = 3, 10


class Invalid(ValueError):
    """A subscription request that cannot be stored (the message says which field, in Dutch)."""


class TooMany(RuntimeError):
    """The address had its confirmation mails of the hour, or (``waiting``) has :data:`MAX_OPEN`
    unconfirmed requests: its owner can withdraw them from any of their confirmation mails."""

    def __init__(self, message: str, *, waiting: bool = False):
        super().__init__(message)
        self.waiting = waiting


def address(value: Any) -> str:
    """A mail address as stored: trimmed, the domain in lower case.

    :raises Invalid: not one address (no display name, no list, no control characters).
    """
    text = str(value or "").strip()
    if len(text) > MAX_EMAIL or not text.isascii() or not text.isprintable() or not _EMAIL.match(text) \
            or "=?" in text or not _plain(text):
        raise Invalid("vul één geldig e-mailadres in")  # ASCII: every SMTP server takes it (no SMTPUTF8 needed)
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def _plain(text: str) -> bool:
    """The address a mail header makes of ``text`` is ``text`` itself (no encoded word, which a
    header decodes to another address, to get round the limits per address; no stray dots)."""
    try:
        return Address(addr_spec=text).addr_spec == text
    except (ValueError, HeaderParseError):
        return False


def _text(value: Any, limit: int) -> str | None:
    text = str(value or "").strip()
    if len(text) > limit:
        raise Invalid(f"een zoekveld is langer dan {limit} tekens")
    if any(unicodedata.category(c) in _BREAKS for c in text):  # it ends up in a mail's subject
        raise Invalid("een zoekveld bevat een regeleinde of stuurteken")
    return text or None


def _date(value: Any) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise Invalid(f"{value!r} is geen datum (JJJJ-MM-DD)") from None


@dataclass(frozen=True)
class Follow:
    """What a subscription follows: its ``kind`` and its ``spec`` (a JSON object, canonical)."""

    kind: str
    spec: dict[str, Any]

    @classmethod
    def of(cls, kind: Any, fields: dict[str, Any]) -> "Follow":
        """From a form's fields: ``search`` (q, mode and the search filters), ``dossier``, ``party``,
        ``like`` (motion: its id).

        :raises Invalid: an unknown kind, a missing or malformed field.
        """
        if kind == "search":
            q = _text(fields.get("q"), 200)
            mode = fields.get("mode") or "hybrid"
            if mode not in MODES:
                raise Invalid("onbekende zoekwijze")
            filters = {k: _text(fields.get(k), 60) for k in _FILTERS if k not in ("since", "until")}
            filters.update(since=_date(fields.get("since")), until=_date(fields.get("until")))
            if filters["vote"] not in (None, "voor", "tegen"):
                raise Invalid("stem is voor of tegen")
            if filters["dossier"] and not _TOKEN.match(filters["dossier"]):
                raise Invalid("een dossiernummer bestaat uit cijfers en letters")
            if not q and not any(filters.values()):
                raise Invalid("een zoekvraag zonder woorden of filters volgt alles: kies iets om te volgen")
            return cls("search", {"q": q, "mode": mode if q else "text", "filters": filters})
        if kind in ("dossier", "like"):
            key = "dossier" if kind == "dossier" else "motion"
            value = _text(fields.get(key), 64)
            if not value or not _TOKEN.match(value):
                raise Invalid("geef het dossiernummer" if kind == "dossier" else "geef de motie")
            return cls(kind, {key: value})
        if kind == "party":
            party = _text(fields.get("party"), 60)
            if not party:
                raise Invalid("geef de partij")
            return cls("party", {"party": identity(party) or party})
        raise Invalid("onbekend soort abonnement")

    def json(self) -> str:
        return json.dumps(self.spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def frequency(value: Any) -> str:
    """``daily`` or ``weekly`` (also in Dutch: dagelijks, wekelijks).

    :raises Invalid: anything else."""
    value = {"dagelijks": "daily", "wekelijks": "weekly"}.get(str(value), str(value))
    if value not in FREQUENCIES:
        raise Invalid("kies dagelijks of wekelijks")
    return value


def subscribe(store: Store, email: str, follow: Follow, how_often: str) -> tuple[str, bool]:
    """Record a request to follow ``follow``: ``(id, mail)``, where ``mail`` says a confirmation
    must be mailed now (a new request, or one not mailed within the hour; never for a confirmed one).

    An address gets at most :data:`MAX_MAILS_PER_HOUR` confirmation mails an hour and has at most
    :data:`MAX_OPEN` unconfirmed requests, whatever it is asked to follow, in whatever capitals it is
    written and from however many clients or app processes (counted in the store, one request of an
    address at a time).

    :raises TooMany: a request that would mail the address beyond these (nothing stored or mailed).
    """
    params = {"id": str(uuid.uuid4()), "email": address(email), "kind": follow.kind, "spec": follow.json(),
              "frequency": frequency(how_often)}
    with store.transaction() as cur:
        cur.execute(sql("delete_stale_alert_requests"))  # no address kept past its week, digest runs or not
        cur.execute(sql("lock_alert_address"), params)
        cur.execute(sql("count_alert_requests"), params)
        seen = cur.fetchone()
        if not seen["quiet"] and seen["open"] >= MAX_OPEN:
            raise TooMany("te veel onbevestigde aanmeldingen voor dit e-mailadres", waiting=True)
        if not seen["quiet"] and seen["recent"] >= MAX_MAILS_PER_HOUR:
            raise TooMany("te veel aanmeldingen voor dit e-mailadres dit uur")
        cur.execute(sql("upsert_alert_subscription"), params)
        row = cur.fetchone()
    return row["id"], bool(row["mail"])


def confirm(store: Store, subscription_id: str) -> bool:
    """Confirm a subscription (again: no change); False when it no longer exists or its request
    waited more than a week."""
    return store.fetch_one("confirm_alert_subscription", {"id": subscription_id}) is not None


def get(store: Store, subscription_id: str) -> dict[str, Any] | None:
    """A subscription as its owner sees it (None: deleted or never there)."""
    return store.fetch_one("select_alert_subscription", {"id": subscription_id})


def set_frequency(store: Store, subscription_id: str, how_often: str) -> bool:
    return store.fetch_one("update_alert_frequency", {"id": subscription_id, "frequency": frequency(how_often)}) is not None


def unsubscribe(store: Store, subscription_id: str) -> bool:
    """Delete the subscription (its address goes with it); False when it was gone already."""
    return store.fetch_one("delete_alert_subscription", {"id": subscription_id}) is not None


def described(store: Store, kind: str, spec: dict[str, Any]) -> str:
    """What a subscription follows, in words (:func:`motion_ops.alerts.digest.describe`; "moties zoals
    deze" by the motion's title)."""
    title = None
    if kind == "like":
        row = store.fetch_one("api_motion", {"key": spec["motion"]})
        title = row["title"] if row else None
    return describe(kind, spec, title)


def withdraw(store: Store, subscription_id: str) -> int:
    """Delete every unconfirmed request of this request's address (its owner did not ask for them):
    how many were deleted. Confirmed subscriptions stay."""
    return len(store.fetch("delete_open_alert_requests", {"id": subscription_id}))


def forget(store: Store, subscription_id: str) -> int:
    """Delete every subscription of this subscription's address (in any capitals): how many were deleted."""
    return len(store.fetch("delete_alert_address", {"id": subscription_id}))
