"""The one check every number read from outside passes (run params, connection extras,
environment settings): a finite number, never NaN or infinity, which compare false with every
bound and would pass any limit unnoticed."""
from __future__ import annotations

import math
import os
from typing import Any

#: the largest finite float: JSON-schema bounds that let no infinity through
LARGEST = 1.7976931348623157e308
#: the longest wait a setting in seconds may ask for (a timeout, a deadline, a back-off): one day;
#: more is a mistake, and beyond ~1e9 s the platform's socket and timedelta calls overflow
MAX_SECONDS = 86_400.0
#: connection extras and settings that are seconds
DURATIONS = frozenset({"timeout", "deadline", "retry_backoff", "min_request_interval", "max_wait", "motion_deadline"})


def finite(value: Any, what: str, *, kind: type = float) -> Any:
    """``value`` as a finite ``kind`` (``float``, or ``int``: ``"7"`` and ``7.0`` are 7, as ``int()`` has it).

    :param what: how the error names the value, e.g. ``"param 'max_cost'"``.
    :raises ValueError: not a number, or NaN, or infinite (also an integer beyond any float).
    """
    if value is None or isinstance(value, (bool, list, dict, tuple, set)):  # JSON true is no number
        raise ValueError(f"{what} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{what} must be a finite number, got {value!r}") from None
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if kind is not int:
        return number
    if isinstance(value, str):  # "7" is 7, "7.5" is no whole number (as int() has it)
        try:
            return int(value.strip())
        except ValueError:
            raise ValueError(f"{what} must be a whole number, got {value!r}") from None
    return int(value)


def env_number(name: str, default: float) -> float:
    """The environment variable ``name`` as a finite number, else ``default`` (unset or empty).

    :raises ValueError: it is set to something else than a finite number.
    """
    return finite(os.environ.get(name) or default, name)


def seconds(value: Any, what: str) -> float:
    """``value`` as a finite number of seconds from 0 to :data:`MAX_SECONDS`.

    :raises ValueError: not a finite number, negative, or more than a day.
    """
    number = finite(value, what)
    if not 0 <= number <= MAX_SECONDS:
        raise ValueError(f"{what} must be from 0 to {MAX_SECONDS:,.0f} seconds (one day), got {value!r}")
    return number
