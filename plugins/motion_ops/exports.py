"""The ``export_data`` stage: the published data as open CSV files, one per table (motions, votes,
related motions with their score components, summaries), described by one CSVW metadata file (W3C
"CSV on the Web": columns, datatypes, required, keys), the published similarity version in every
file's name (``motion-ops-v7-motions.csv``, ``motion-ops-v7-csv-metadata.json``).

Everything is read in one repeatable-read snapshot and streamed row by row (a server-side cursor)
into a temporary file in the target folder, written to disk and renamed into place; the metadata
file is renamed last, so an export is complete exactly when its metadata file is there. Idempotent
per version: a complete export of the published version is left as it is (``force`` rewrites it).
The files of older versions the store no longer keeps (publishing prunes them, ``keep_versions``)
are removed, each version's metadata file first (it is then no longer listed as complete).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import math
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from motion_ops.store.db import Store, sql
from motion_ops.store.export_files import (
    FILE_NAME,
    PREFIX,
    TABLE_NAMES,
    complete,
    file_name,
    metadata_name,
    regular_file,
    usable_dir,
)

log = logging.getLogger(__name__)

FETCH_ROWS = 2000  # rows a server-side cursor brings per round trip
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
#: Cells are never altered against formula injection (a ``'`` prefix would change the data for every other
#: program, and a negative number is a number); the metadata and the README say how to open them safely.
FORMULAS = ("Every cell holds the value exactly as stored: a text may start with =, +, - or @ (e.g. a motion's "
            "title), which a spreadsheet program opening the file directly may take for a formula. Import the "
            "files as text (e.g. Data > From Text/CSV with the columns as text), or read them with a CSV library.")
TEMP_SUFFIX = ".tmp"  # a file being written: ``.<its name>.<random>.tmp``


class NothingToExport(ValueError):
    """No similarity version is published yet."""


@dataclass(frozen=True)
class Column:
    """One column: its name (the CSV header), a CSVW datatype, whether a row must have it, what it means."""

    name: str
    datatype: str  # string, integer, double, boolean, date, dateTime, json
    description: str
    required: bool = False


@dataclass(frozen=True)
class Table:
    """One CSV file: its named query (whose columns are exactly :attr:`columns`, in order) and keys."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    references: tuple[str, ...] = ()  # columns holding a motion id of the motions table

    @property
    def query(self) -> str:
        return f"export_{self.name}"


def _c(name: str, datatype: str, description: str, required: bool = False) -> Column:
    return Column(name, datatype, description, required)


TABLES: tuple[Table, ...] = (
    Table("motions", "Live motions (moties) of the Tweede Kamer with their text", (
        _c("id", "string", "the Zaak id (uuid)", True), _c("nummer", "string", "the Zaak number"),
        _c("title", "string", "title"), _c("started_on", "date", "date"), _c("dossier", "string", "Kamerstuk dossier"),
        _c("dossier_title", "string", "the dossier's title"), _c("kamerstuk", "string", "Kamerstuk (dossier-ondernummer)"),
        _c("submitters", "json", "submitters, a JSON array of names", True), _c("outcome", "string", "outcome of the vote"),
        _c("amended", "boolean", "a changed motion (gewijzigde motie)", True), _c("body_text", "string", "the text"),
        _c("updated_at", "dateTime", "when the store last changed it (UTC)", True),
        _c("generated", "boolean", "a sample motion made up by the dev kit, not the Tweede Kamer's", True)),
        ("id",)),
    Table("votes", "Each motion's votes per party (seats empty: unknown)", (
        _c("motion_id", "string", "the motion", True), _c("party", "string", "party (fractie)", True),
        _c("vote", "string", "Voor, Tegen or Niet deelgenomen", True), _c("seats", "integer", "the party's seats"),
        _c("voor", "integer", "seats voting voor"), _c("tegen", "integer", "seats voting tegen")),
        ("motion_id", "party"), ("motion_id",)),
    Table("related", "Each motion's related motions in the published version, with the score's components", (
        _c("version", "integer", "similarity version", True), _c("motion_id", "string", "the motion", True),
        _c("rank", "integer", "rank (1: most related)", True), _c("neighbour_id", "string", "the related motion", True),
        _c("score", "double", "the weighted score", True), _c("text_score", "double", "text similarity (cosine)"),
        _c("vote_same", "integer", "parties that voted the same"), _c("vote_common", "integer", "parties that voted on both"),
        _c("vote_correlation", "double", "vote agreement beyond chance (-1 to 1)"),
        _c("shared_submitters", "integer", "submitters in common"), _c("same_dossier", "boolean", "the same dossier"),
        _c("same_debate", "boolean", "voted in the same debate")),
        ("motion_id", "rank"), ("motion_id", "neighbour_id")),
    Table("summaries", "The published plain-language summary of each motion's current text", (
        _c("motion_id", "string", "the motion", True), _c("status", "string", "llm, fallback or extractive", True),
        _c("summary_nl", "string", "summary in Dutch", True), _c("summary_en", "string", "summary in English"),
        _c("requests", "json", "what the motion asks, a JSON array", True), _c("topics", "json", "topics, a JSON array", True),
        _c("backend", "string", "the backend that made it", True), _c("model", "string", "the model", True),
        _c("prompt_version", "string", "the prompt's version", True),
        _c("published_at", "dateTime", "when it was published (UTC)")),
        ("motion_id",), ("motion_id",)),
)


def cell(value: Any, column: Column, where: str) -> str:
    """A value as its column's CSVW lexical form ("" for null).

    :raises ValueError: a number that is not finite, or a required value missing (``where`` says which row).
    """
    if value is None:
        if column.required:
            raise ValueError(f"{where}: {column.name} is empty, but every row must have it")
        return ""
    kind = column.datatype
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "dateTime":
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if kind == "date":
        return value.isoformat()
    if kind == "double":
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{where}: {column.name} is {number}, not a finite number")
        return repr(number)
    if kind == "integer":
        return str(int(value))
    if kind == "json":
        return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _write_atomically(path: Path, write: Any) -> None:
    """``write(file)`` into a new temporary file next to ``path`` (a random name, created exclusively:
    nothing there is followed or written through), on disk, then renamed to ``path``."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}{TEMP_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask decides, as for open()
        with open(fd, "w", newline="", encoding="utf-8") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _remove_leftovers(folder: Path) -> None:
    """Remove the temporary files of exports killed mid-file (their ``finally`` never ran); only
    called under the export lock, when no export is writing."""
    for p in folder.glob(f".{PREFIX}-v*{TEMP_SUFFIX}"):
        log.info("removing %s, left by an export that did not finish", p.name)
        p.unlink(missing_ok=True)


def _prune(cur: Any, folder: Path, version: int) -> list[int]:
    """Remove the exports of versions older than ``version`` that the store no longer keeps, each one's
    metadata file first; only regular files with an export's name. Never a newer version's: this
    export's snapshot may predate it (taken before the lock was granted), and the store never prunes
    a version newer than the published one. Returns the versions removed."""
    cur.execute(sql("select_kept_versions"))
    kept = {int(r["version"]) for r in cur.fetchall()}
    found = [(m, p) for p in folder.iterdir()
             if (m := FILE_NAME.match(p.name)) and int(m.group(1)) < version and int(m.group(1)) not in kept]
    removed = set()
    for m, p in sorted(found, key=lambda mp: (int(mp[0].group(1)), mp[0].group(2) is not None)):  # metadata first
        if regular_file(p):
            p.unlink(missing_ok=True)
            removed.add(int(m.group(1)))
    if removed:
        log.info("removed the exports of versions %s: the store no longer keeps them", sorted(removed))
    return sorted(removed)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stream(store: Store, table: Table, params: dict[str, Any], f: Any) -> int:
    """Write ``table``'s header and rows (read through a server-side cursor) to ``f``; the row count."""
    writer = csv.writer(f)
    writer.writerow([c.name for c in table.columns])
    count = 0
    with store.conn.cursor(name=f"export_{table.name}") as cur:
        cur.itersize = FETCH_ROWS
        cur.execute(sql(table.query), params)
        names = tuple(d.name for d in cur.description or ())
        if names != tuple(c.name for c in table.columns):
            raise ValueError(f"named query {table.query} returns {names}, not the declared columns of {table.name}")
        for row in cur:
            count += 1
            writer.writerow([cell(v, c, f"{table.name} row {count}") for v, c in zip(row, table.columns)])
    return count


if tuple(t.name for t in TABLES) != TABLE_NAMES:  # the files' names come from there
    raise RuntimeError("the export's tables differ from motion_ops.store.export_files.TABLE_NAMES")


def metadata(version: int, created: dt.datetime, rows: dict[str, int]) -> dict[str, Any]:
    """The CSVW metadata of version ``version``'s files (a table group: each table's URL, columns with
    their datatypes and whether they are required, its primary key and references to the motions)."""
    motions = file_name(version, "motions")
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "dc:title": f"motion-ops: Tweede Kamer motions, similarity version {version}",
        "dc:source": "Tweede Kamer open data (opendata.tweedekamer.nl), CC0",
        "dc:license": LICENSE,
        "dc:created": created.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
        "rdfs:comment": FORMULAS,
        "dialect": {"header": True, "encoding": "utf-8", "delimiter": ",", "quoteChar": "\""},
        "tables": [{
            "url": file_name(version, t.name), "dc:description": t.description, "rdfs:comment": f"{rows[t.name]} rows",
            "tableSchema": {
                "columns": [{"name": c.name, "titles": c.name, "datatype": c.datatype, "required": c.required,
                             "dc:description": c.description} for c in t.columns],
                "primaryKey": list(t.primary_key) if len(t.primary_key) > 1 else t.primary_key[0],
                "foreignKeys": [{"columnReference": ref, "reference": {"resource": motions, "columnReference": "id"}}
                                for ref in t.references]}} for t in TABLES],
    }


def export(store: Store, folder: Path, *, force: bool = False) -> dict[str, Any]:
    """Export the published version's data into ``folder`` (see the module's doc).

    :returns: ``{"version", "written", "folder", "files", "rows", "removed"}`` (``written`` False: it was there
        already; ``removed``: the versions whose exports were removed).
    :raises NothingToExport: no version is published yet.
    :raises ValueError: the folder is unusable, or a value cannot be written as its column's type.
    """
    usable_dir(folder)
    rows: dict[str, int] = {}
    with store.transaction() as cur:  # one snapshot: the files agree with each other
        cur.execute(sql("set_snapshot_read"))
        cur.execute(sql("lock_export"))  # one export at a time: a second one waits, then finds it complete
        _remove_leftovers(folder)
        cur.execute(sql("select_current_version"))
        current = cur.fetchone()
        if current is None:
            raise NothingToExport("no similarity version is published yet: nothing to export")
        version = int(current["version"])
        files = [file_name(version, t.name) for t in TABLES] + [metadata_name(version)]
        if complete(folder, version) and not force:
            log.info("version %d is exported already in %s: nothing written", version, folder)
            removed = _prune(cur, folder, version)
            return {"version": version, "written": False, "folder": str(folder), "files": files, "rows": None,
                    "removed": removed}
        for table in TABLES:
            def write(f: Any, table: Table = table) -> None:
                rows[table.name] = _stream(store, table, {"version": version}, f)

            _write_atomically(folder / file_name(version, table.name), write)
        meta = metadata(version, dt.datetime.now(dt.timezone.utc), rows)
        _write_atomically(folder / metadata_name(version), lambda f: f.write(json.dumps(meta, indent=1, ensure_ascii=False)))
        _sync_dir(folder)  # still under the lock: the export is complete before the next one looks
        removed = _prune(cur, folder, version)
    log.info("exported version %d to %s: %s", version, folder, rows)
    return {"version": version, "written": True, "folder": str(folder), "files": files, "rows": rows,
            "removed": removed}


def summary_line(out: dict[str, Any]) -> str:
    """What the task says it did, in one line."""
    gone = f"; removed the exports of versions {', '.join(map(str, out['removed']))} (no longer kept)" \
        if out.get("removed") else ""
    if not out["written"]:
        return f"version {out['version']} is exported already in {out['folder']}: nothing written{gone}"
    counts = ", ".join(f"{n} {name}" for name, n in out["rows"].items())
    return f"exported version {out['version']} to {out['folder']}: {counts}{gone}"


def export_step(store: Store, folder: str | Path | None) -> Any:
    """The ``export_data`` task: the published version's export in ``folder`` (the run's
    ``exports_dir``: :func:`~motion_ops.store.export_files.export_dir`) as a
    :class:`~motion_ops.run.TaskResult`; a folder that cannot be used fails it (a person must fix
    it), no published version skips it."""
    from motion_ops.run import TaskResult
    from motion_ops.store.export_files import export_dir

    try:
        usable = usable_dir(export_dir(folder))
    except ValueError as exc:
        return TaskResult(fail=f"invalid run params: {exc}")
    try:
        out = export(store, usable)
    except NothingToExport as exc:
        return TaskResult(skip=str(exc))
    return TaskResult({"version": out["version"], "written": out["written"], "files": out["files"],
                       "removed": out["removed"]},
                      summary_line(out), items=sum((out["rows"] or {}).values()))
