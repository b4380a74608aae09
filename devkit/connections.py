"""``python -m devkit.connections '<json>'``: create connections in the metadata DB where absent
(``{conn_id: {conn_type, host, login, password, schema, port, extra}}``); existing ones are left as the user set them."""
from __future__ import annotations

import json
import sys


def ensure(definitions: dict[str, dict]) -> list[str]:
    """Create the connections that do not exist yet; returns their ids."""
    from airflow.models import Connection
    from airflow.utils.session import create_session

    created = []
    with create_session() as session:
        for conn_id, d in definitions.items():
            if session.query(Connection).filter(Connection.conn_id == conn_id).first() is not None:
                continue
            extra = d.get("extra")
            session.add(Connection(conn_id=conn_id, conn_type=d["conn_type"], host=d.get("host"), login=d.get("login"),
                                   password=d.get("password"), schema=d.get("schema"), port=d.get("port"),
                                   extra=json.dumps(extra) if isinstance(extra, dict) else extra))
            created.append(conn_id)
    return created


if __name__ == "__main__":
    made = ensure(json.loads(sys.argv[1]))
    print(f"connections created: {', '.join(made) or 'none (all present)'}")
