"""The open data exports on disk (written by :mod:`motion_ops.exports`, served by the readers' app):
where they are, what their files are named, which exports are complete."""
from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path
from typing import Any, Iterable

PREFIX = "motion-ops"
#: the tables an export has, one CSV file each (their columns: :data:`motion_ops.exports.TABLES`)
TABLE_NAMES = ("motions", "votes", "related", "summaries")
#: every name an export's file has: ``motion-ops-v<version>-<table>.csv`` or ``...-csv-metadata.json``
FILE_NAME = re.compile(r"^motion-ops-v([0-9]{1,19})-(?:(" + "|".join(TABLE_NAMES) + r")\.csv|csv-metadata\.json)$")
ENV_DIR = "MOTION_OPS_EXPORTS_DIR"


def file_name(version: int, table: str) -> str:
    return f"{PREFIX}-v{int(version)}-{table}.csv"


def metadata_name(version: int) -> str:
    return f"{PREFIX}-v{int(version)}-csv-metadata.json"


def export_dir(given: str | Path | None = None) -> Path:
    """Where the exports are: ``given`` (the run's param ``exports_dir``), else ``MOTION_OPS_EXPORTS_DIR``,
    else ``$AIRFLOW_HOME/exports``. The readers' app serves the same folder (without ``given``)."""
    return Path(given or os.environ.get(ENV_DIR) or Path(os.environ.get("AIRFLOW_HOME", ".")) / "exports")


def usable_dir(folder: Path) -> Path:
    """``folder``, created if missing.

    :raises ValueError: it is a file, or it cannot be created or written to.
    """
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"exports_dir {str(folder)!r} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"exports_dir {str(folder)!r} cannot be created: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"exports_dir {str(folder)!r} cannot be written to")
    return folder


def names(version: int) -> Iterable[str]:
    """The files of version ``version``'s export: its metadata first, then one per table."""
    yield metadata_name(version)
    yield from (file_name(version, t) for t in TABLE_NAMES)


def regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file itself: not a symlink (which may point anywhere), nor a folder."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def complete(folder: Path, version: int) -> bool:
    """Whether ``folder`` holds the complete export of ``version`` (its metadata and every table, each a
    regular file)."""
    return all(regular_file(folder / n) for n in names(version))


def listing(folder: Path) -> list[dict[str, Any]]:
    """The complete exports in ``folder``, newest version first: each version's metadata file and
    tables with their sizes and change times (UTC). A missing folder lists none."""
    try:
        found = [p.name for p in folder.iterdir()]
    except OSError:
        return []
    versions = sorted({int(m.group(1)) for m in map(FILE_NAME.match, found) if m}, reverse=True)
    return [{"version": v, "metadata": metadata_name(v), "files": [_entry(folder / n) for n in names(v)]}
            for v in versions if complete(folder, v)]


def _entry(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"name": path.name, "bytes": st.st_size,
            "modified": dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).isoformat().replace("+00:00", "Z")}
