"""Links to the Tweede Kamer's own pages: a motion on tweedekamer.nl, as tkconv/OpenTK and the
Kamer's site address it (by its Zaak number, and its document number when known)."""
from __future__ import annotations

from urllib.parse import urlencode

MOTION_PAGE = "https://www.tweedekamer.nl/kamerstukken/moties/detail"


def official_url(nummer: str | None, document_nummer: str | None = None) -> str | None:
    """The motion's page on tweedekamer.nl (None without a Zaak number)."""
    if not nummer:
        return None
    return f"{MOTION_PAGE}?{urlencode({'id': nummer, **({'did': document_nummer} if document_nummer else {})})}"
