"""What a reader sees in Dutch, in one place: numbers with a decimal comma, times in Amsterdam time,
and the errors of the pages (the JSON API keeps its English errors and field names)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from motion_ops.numerics.written import decimal
from motion_ops.serve.errors import STORE_DOWN, TOO_SLOW, NotFound

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: what an error page says by status when the error itself has no Dutch words
BY_STATUS = {
    400: "Deze link naar een volgende pagina klopt niet (meer); zoek opnieuw.",
    404: "Deze pagina bestaat niet.",
    405: "Dat kan niet op dit adres.",
    409: "Dit kan nu niet: er is nog geen gepubliceerde versie, of zoeken op betekenis is niet beschikbaar.",
    422: "Ongeldige invoer.",
    429: "Te veel verzoeken tegelijk; probeer het zo opnieuw.",
    500: "Er ging iets mis aan onze kant (het staat in het logboek van de server); probeer het later opnieuw.",
    503: "De moties kunnen nu niet worden gelezen; probeer het later opnieuw.",
}
_BY_MESSAGE = {TOO_SLOW: "Het antwoord duurde te lang; probeer het later opnieuw.", STORE_DOWN: BY_STATUS[503]}
#: the search form's labels, for what a reader filled in wrong
LABELS = {"q": "Zoekwoorden", "mode": "Soort zoeken", "party": "Partij", "vote": "Stemde", "outcome": "Uitslag",
          "dossier": "Dossier", "since": "Vanaf", "until": "Tot", "cursor": "Volgende pagina", "key": "Motie",
          "limit": "Aantal", "m": "Antwoorden", "a": "Partij", "b": "Partij"}
_PROBLEMS = {"date": "geen geldige datum (jjjj-mm-dd)", "string_too_long": "te lang", "literal": "geen geldige keuze",
             "string_pattern_mismatch": "bevat tekens die hier niet kunnen", "nul": "bevat een ongeldig teken (NUL)"}


def number(value: Any, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals and a decimal comma ("0,68"); "-" when there is none; a
    tiny negative is "0,00", not "-0,00"."""
    return "-" if value is None else decimal(value, digits, ",")


def percent(share: float | None) -> str:
    """A share between 0 and 1 as a whole percentage ("57 %"); "-" when there is none."""
    return "-" if share is None else f"{round(share * 100)} %"


def moment(value: dt.datetime | None) -> str:
    """A moment as a reader in the Netherlands reads it: "01-07-2025 10:56", Amsterdam time."""
    if value is None:
        return "-"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def seats(n: int) -> str:
    """"1 zetel", "3 zetels"."""
    return f"{n} zetel" if n == 1 else f"{n} zetels"


#: how a published summary was made (its ``status``), as the page says it
SUMMARY_STATUS = {"llm": "door een taalmodel", "fallback": "door het reservemodel (het eerste taalmodel lukte niet)",
                  "extractive": "letterlijk uit de motie (extractief, zonder taalmodel)"}


def summary_status(status: str) -> str:
    """How a summary with ``status`` (llm, fallback, extractive) was made, in Dutch."""
    return SUMMARY_STATUS.get(status, status)


def error_message(status: int, exc: BaseException | None = None) -> str:
    """What an error page says: the error's own Dutch words (``nl``), else the words for its status."""
    nl = getattr(exc, "nl", None)
    if nl:
        return nl
    if exc is not None and str(exc) in _BY_MESSAGE:
        return _BY_MESSAGE[str(exc)]
    if isinstance(exc, NotFound):
        return "Niet gevonden."
    return BY_STATUS.get(status, BY_STATUS[500])


def invalid_input(errors: list[dict[str, Any]]) -> str:
    """The problems of a 422 as one line in Dutch, one per field ("Vanaf: geen geldige datum (jjjj-mm-dd)");
    a problem that carries its own Dutch words (``ctx["nl"]``, as a party match's answers do) says them."""
    seen: dict[str, str] = {}
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        name = loc[1] if len(loc) > 1 else "?"
        kind = str(e.get("type", ""))
        own = (e.get("ctx") or {}).get("nl")
        if own:
            problem = str(own)
        elif "NUL" in str(e.get("msg", "")):
            problem = _PROBLEMS["nul"]
        elif "date" in kind or (len(loc) > 2 and loc[2] == "date"):
            problem = _PROBLEMS["date"]
        else:
            problem = next((v for k, v in _PROBLEMS.items() if k in kind), "ongeldige waarde")
        if name not in seen or problem == _PROBLEMS["date"]:
            seen[name] = problem
    return "; ".join(f"{LABELS.get(name, name)}: {problem}" for name, problem in seen.items())
