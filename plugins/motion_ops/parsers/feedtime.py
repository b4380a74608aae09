"""The SyncFeed's change times (``bijgewerkt``): every ISO 8601 spelling the feed uses, as one instant.

The live feed writes Amsterdam time without an offset and seven fractional digits
(``2019-07-15T11:02:54.8200000``: its Atom ``<updated>`` for the same entity says ``09:03:25Z``);
the ``ns1:``-prefixed feed adds the offset (``2023-10-27T10:46:51.0000000+02:00``); ``Z`` and 0-7
(up to 9) fractional digits occur as well, and ISO 8601 / RFC 3339 also allow ``z`` and an offset
in hours only (``+02``). A moment Python cannot hold as a UTC instant (year 1 or 9999 at the
edge) is no timestamp. Spellings of one moment are equal, and order by the
moment, not by their text.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # what a change time without an offset is in
_SPELLING = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}(?::?\d{2})?)?", re.ASCII)


@functools.lru_cache(maxsize=4096)  # a page's times are checked, then written: the second look is free
def feed_time(value: str) -> str:
    """``value`` as the store takes it: ``YYYY-MM-DDTHH:MM:SS[.ffffff]`` and the offset it means
    (``Z`` or ``±HH:MM``), which PostgreSQL's ``timestamptz`` and :func:`feed_instant` read.

    Fractional digits beyond the sixth are cut off (both keep microseconds; cutting, unlike
    rounding, never moves a time into the next second). A time without an offset is Amsterdam
    time; in the hour the clocks go back it is taken as the first (summer time) one.

    :raises ValueError: the value is not a timestamp in one of those spellings.
    """
    m = _SPELLING.fullmatch(value)
    if m is None:
        raise ValueError(f"{value[:40]!r} is not a timestamp")
    fraction, offset = m.groups()
    try:
        offset = _amsterdam_offset(value[:13]) if offset is None else _offset(offset)
        spelled = value[:19] + ("." + fraction[:6].ljust(6, "0") if fraction else "") + offset
        moment = dt.datetime.fromisoformat(spelled)  # the day, hour, ... are in range
        if moment.year in (1, 9999):  # only there can the UTC instant fall outside what Python holds
            moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{value[:40]!r} is not a timestamp ({exc})") from None
    return spelled


@functools.lru_cache(maxsize=4096)
def feed_instant(value: str) -> dt.datetime:
    """The UTC instant a ``bijgewerkt`` value means (see :func:`feed_time`).

    :raises ValueError: the value is not a timestamp in one of those spellings.
    """
    return dt.datetime.fromisoformat(feed_time(value)).astimezone(dt.timezone.utc)


@functools.lru_cache(maxsize=4096)
def _amsterdam_offset(hour: str) -> str:
    """Amsterdam's offset in the local hour ``YYYY-MM-DDTHH`` (``+01:00`` in winter, ``+02:00`` in summer)."""
    seconds = int(AMSTERDAM.utcoffset(dt.datetime.fromisoformat(hour + ":00")).total_seconds())
    return f"{'+' if seconds >= 0 else '-'}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"


@functools.lru_cache(maxsize=64)
def _offset(offset: str) -> str:
    """``Z`` (or ``z``), ``+02:00``, ``-0500`` or ``+02`` checked, as ``Z`` or with a colon."""
    if offset in ("Z", "z"):
        return "Z"
    hours, minutes = int(offset[1:3]), int(offset[3:].lstrip(":") or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {offset} is out of range")
    return f"{offset[0]}{hours:02d}:{minutes:02d}"
