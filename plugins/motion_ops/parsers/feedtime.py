"""The SyncFeed's change times (``bijgewerkt``): every ISO 8601 spelling the feed uses, as one UTC instant.

The live feed writes Amsterdam time without an offset and seven fractional digits
(``2019-07-15T11:02:54.8200000``: its Atom ``<updated>`` for the same entity says ``09:03:25Z``);
the ``ns1:``-prefixed feed adds the offset (``2023-10-27T10:46:51.0000000+02:00``); ``Z`` and 0-7
(up to 9) fractional digits occur as well. Spellings of one moment are equal, and order by the
moment, not by their text.
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # what a change time without an offset is in
_SPELLING = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?")


def feed_instant(value: str) -> dt.datetime:
    """The UTC instant a ``bijgewerkt`` value means.

    Fractional digits beyond the sixth are cut off (PostgreSQL and Python keep microseconds; cutting,
    unlike rounding, never moves a time into the next second). A time without an offset is
    Amsterdam time; in the hour the clocks go back it is taken as the first (summer time) one.

    :raises ValueError: the value is not a timestamp in one of those spellings.
    """
    m = _SPELLING.fullmatch(value)
    if m is None:
        raise ValueError(f"{value[:40]!r} is not a timestamp")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction, offset = m.group(7), m.group(8)
    try:
        if offset is None:
            zone: dt.tzinfo = AMSTERDAM
        elif offset == "Z":
            zone = dt.timezone.utc
        else:
            hours, minutes = int(offset[1:3]), int(offset[-2:])
            if minutes > 59:
                raise ValueError(f"offset {offset} has {minutes} minutes")
            zone = dt.timezone((1 if offset[0] == "+" else -1) * dt.timedelta(hours=hours, minutes=minutes))
        local = dt.datetime(year, month, day, hour, minute, second, int((fraction or "0")[:6].ljust(6, "0")), zone)
    except ValueError as exc:  # a day, hour or offset out of range
        raise ValueError(f"{value[:40]!r} is not a timestamp ({exc})") from None
    return local.astimezone(dt.timezone.utc)
