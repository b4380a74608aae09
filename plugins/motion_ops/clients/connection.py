"""Reading a connection without Airflow: anything with ``host``, ``port``, ``schema``, ``login``,
``password`` and ``extra_dejson`` (an Airflow ``Connection``, or a plain object in tests)."""
from __future__ import annotations

from typing import Any, Protocol

from motion_ops.numerics.finite import DURATIONS, finite, seconds


class ConnectionLike(Protocol):
    host: str | None
    port: int | None
    schema: str | None
    login: str | None
    password: str | None

    @property
    def extra_dejson(self) -> dict[str, Any]: ...


def base_url(conn: ConnectionLike, *, default_scheme: str) -> str:
    """``scheme://host[:port][/path]`` of a connection: a host that is a URL is taken as it is;
    otherwise the scheme comes from ``schema`` or the extra ``scheme``.

    :raises ValueError: the connection has no host.
    """
    host = (conn.host or "").strip().rstrip("/")
    if not host:
        raise ValueError("the connection has no host")
    if "://" in host:
        return host
    scheme = conn.schema or conn.extra_dejson.get("scheme") or default_scheme
    return f"{scheme}://{host}{f':{conn.port}' if conn.port else ''}"


def extra_number(extra: dict[str, Any], *names: str, default: float | None, kind: type = float) -> Any:
    """The first of ``names`` present in ``extra`` as ``kind`` (later names are aliases), else ``default``.

    :raises ValueError: the value is not a finite number (or, for a duration such as ``timeout``,
        not from 0 s to a day: :data:`~motion_ops.numerics.finite.DURATIONS`).
    """
    for name in names:
        value = extra.get(name)
        if value is not None and value != "":
            if name in DURATIONS:
                return seconds(value, f"connection extra {name!r}")
            return finite(value, f"connection extra {name!r}", kind=kind)
    return default
