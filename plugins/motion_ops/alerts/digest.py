"""The mails, in Dutch, as plain text and HTML (Jinja templates in ``templates/``, the HTML
autoescaped): a digest of new motions with one unsubscribe link and the List-Unsubscribe headers
(one click in the mail client, RFC 8058), and the confirmation of a new subscription."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), undefined=StrictUndefined,
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
_MODES = {"text": "op tekst", "semantic": "op betekenis", "hybrid": "op tekst en betekenis"}
_FILTER_WORDS = {"party": "partij", "vote": "stem", "outcome": "uitslag", "dossier": "dossier", "since": "vanaf",
                 "until": "tot"}
FREQUENCY_NL = {"daily": "dagelijks", "weekly": "wekelijks"}


def describe(kind: str, spec: dict[str, Any], motion_title: str | None = None) -> str:
    """What a subscription follows, in words."""
    if kind == "search":
        parts = [f"zoekvraag “{spec['q']}” ({_MODES.get(spec.get('mode'), spec.get('mode'))})" if spec.get("q")
                 else "moties"]
        parts += [f"{_FILTER_WORDS[k]} {v}" for k, v in (spec.get("filters") or {}).items() if v]
        return ", ".join(parts)
    if kind == "dossier":
        return f"dossier {spec['dossier']}"
    if kind == "party":
        return f"partij {spec['party']}"
    return f"moties zoals “{motion_title}”" if motion_title else "moties zoals een gekozen motie"


def _message(sender: str, to: str, subject: str, name: str, msgid: str | None, **context: Any) -> EmailMessage:
    msg = EmailMessage()
    # every line end and control character a title or a query may hold becomes one space: one header line
    msg["From"], msg["To"], msg["Subject"] = sender, to, " ".join(subject.split())
    msg["Message-ID"] = msgid or make_msgid(domain="motion-ops")
    msg.set_content(_ENV.get_template(f"{name}.txt").render(**context))
    msg.add_alternative(_ENV.get_template(f"{name}.html").render(**context), subtype="html")
    return msg


def digest_id(subscription_id: str, period: str) -> str:
    """The Message-ID of a subscription's digest of a period (short enough not to be folded)."""
    return f"<{subscription_id.replace('-', '')}.{period}@motion-ops>"


def digest(*, sender: str, to: str, subscription_id: str, period: str, what: str, frequency: str,
           motions: list[dict[str, Any]], more: bool, site_url: str, manage_token: str) -> EmailMessage:
    """The digest of ``motions`` (rows with id, nummer, title, started_on, dossier). Its Message-ID
    is the subscription's and the period's: a digest sent again after a crash is recognisably the same."""
    site = site_url.rstrip("/")
    manage = f"{site}/volgen/{manage_token}"
    unsubscribe = f"{manage}/afmelden"
    items = [{**m, "url": f"{site}/motie/{m['nummer'] or m['id']}"} for m in motions]
    count = f"{len(items)}{'+' if more else ''}"
    msg = _message(sender, to, f"{count} nieuwe moties: {what}", "digest",
                   digest_id(subscription_id, period), what=what, items=items, more=more,
                   frequency=FREQUENCY_NL[frequency], manage=manage, unsubscribe=unsubscribe, site=site)
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg


def confirmation(*, sender: str, to: str, what: str, frequency: str, confirm_url: str) -> EmailMessage:
    """The mail that asks to confirm a new subscription (nothing is sent to the address otherwise)."""
    return _message(sender, to, f"Bevestig je abonnement: {what}", "confirm", None, what=what,
                    frequency=FREQUENCY_NL[frequency], confirm_url=confirm_url)
