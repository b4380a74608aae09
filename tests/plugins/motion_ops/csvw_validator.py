"""A small CSVW validator for the tests: a table group's metadata against its CSV files (the header
equals the columns' titles, every row has every cell, required cells are filled, each cell parses
as its datatype, primary keys are unique, foreign keys point at an existing row)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

_DATETIME_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def _parses(value: str, datatype: str) -> bool:
    try:
        if datatype == "string":
            return True
        if datatype == "integer":
            return re.fullmatch(r"-?[0-9]+", value) is not None
        if datatype == "double":
            return math.isfinite(float(value))
        if datatype == "boolean":
            return value in ("true", "false")
        if datatype == "date":
            return dt.date.fromisoformat(value).isoformat() == value
        if datatype == "dateTime":
            return bool(_DATETIME_UTC.match(value)) and dt.datetime.fromisoformat(value.replace("Z", "+00:00")) is not None
        if datatype == "json":
            json.loads(value)
            return True
    except ValueError:
        return False
    raise AssertionError(f"unknown datatype {datatype!r}")


def validate(metadata_path: Path) -> dict[str, list[dict[str, str]]]:
    """Check every table of the metadata file; return each table's rows (by its url). Raises
    AssertionError naming the table, row and column of the first problem."""
    meta = json.loads(metadata_path.read_text(encoding="utf-8"))
    assert meta["@context"] == "http://www.w3.org/ns/csvw"
    tables: dict[str, list[dict[str, str]]] = {}
    schemas: dict[str, Any] = {}
    for table in meta["tables"]:
        url, schema = table["url"], table["tableSchema"]
        columns = schema["columns"]
        with open(metadata_path.parent / url, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            assert header == [c["titles"] for c in columns], f"{url}: header {header}"
            rows = []
            for n, cells in enumerate(reader, start=2):
                assert len(cells) == len(columns), f"{url} line {n}: {len(cells)} cells"
                for value, c in zip(cells, columns):
                    if value == "":
                        assert not c.get("required"), f"{url} line {n}: required {c['name']} is empty"
                    else:
                        assert _parses(value, c["datatype"]), f"{url} line {n}: {c['name']}={value!r} is no {c['datatype']}"
                rows.append(dict(zip((c["name"] for c in columns), cells)))
        key = schema["primaryKey"] if isinstance(schema["primaryKey"], list) else [schema["primaryKey"]]
        keys = [tuple(r[k] for k in key) for r in rows]
        assert len(set(keys)) == len(keys), f"{url}: primary key {key} is not unique"
        tables[url], schemas[url] = rows, schema
    for url, schema in schemas.items():
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"]
            known = {r[target["columnReference"]] for r in tables[target["resource"]]}
            missing = {r[fk["columnReference"]] for r in tables[url]} - known
            assert not missing, f"{url}: {fk['columnReference']} refers to rows that are not in {target['resource']}: {missing}"
    return tables
