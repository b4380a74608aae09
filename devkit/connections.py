"""``python -m devkit.connections '<json>' ['<pools json>']``: create connections in the metadata DB where absent
(``{conn_id: {conn_type, host, login, password, schema, port, extra}}``); existing ones are left as the user set them.
Then set the pools (``{name: [slots, description]}``) as ``airflow pools set`` does, in the same
process (each ``airflow`` command loads Airflow anew).

Every connection is stored with an explicit port (:func:`with_port`): Airflow 3.3.2's connection
list posts ``port: 0`` for a connection without one to ``POST /connections/test``, which refuses a
port that differs from the stored NULL ("Test Connection Failed - Bad Request")."""
from __future__ import annotations

import json
import sys
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "postgres": 5432, "postgresql": 5432}


def with_port(definition: dict) -> dict:
    """``definition`` with the port the UI's Test button posts for it: its own if set; else the
    Postgres port for a ``postgres`` connection (also over a unix socket: ``.s.PGSQL.5432``), the
    port of a URL host (or its scheme's default); 0 for a connection without a host or a port
    (the UI posts ``Number(null)``, and the project's hooks ignore a 0 port)."""
    if definition.get("port") not in (None, ""):
        return definition
    host = str(definition.get("host") or "")
    if definition.get("conn_type") == "postgres":
        port = DEFAULT_PORTS["postgres"]
    elif "://" in host:
        parts = urlsplit(host)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    else:
        port = 0
    return {**definition, "port": port}


def ensure(definitions: dict[str, dict]) -> list[str]:
    """Create the connections that do not exist yet (with an explicit port); returns their ids."""
    from airflow.models import Connection
    from airflow.utils.session import create_session

    created = []
    with create_session() as session:
        for conn_id, d in definitions.items():
            if session.query(Connection).filter(Connection.conn_id == conn_id).first() is not None:
                continue
            d = with_port(d)
            extra = d.get("extra")
            session.add(Connection(conn_id=conn_id, conn_type=d["conn_type"], host=d.get("host"), login=d.get("login"),
                                   password=d.get("password"), schema=d.get("schema"), port=d["port"],
                                   extra=json.dumps(extra) if isinstance(extra, dict) else extra))
            created.append(conn_id)
    return created


def set_pools(pools: dict[str, list]) -> None:
    """Create or update each pool ``{name: [slots, description]}`` (``airflow pools set``)."""
    from airflow.models.pool import Pool

    for name, (slots, description) in pools.items():
        Pool.create_or_update_pool(name=name, slots=int(slots), description=description, include_deferred=False)


if __name__ == "__main__":
    made = ensure(json.loads(sys.argv[1]))
    print(f"connections created: {', '.join(made) or 'none (all present)'}")
    if len(sys.argv) > 2:
        set_pools(json.loads(sys.argv[2]))
        print(f"pools set: {', '.join(json.loads(sys.argv[2]))}")
