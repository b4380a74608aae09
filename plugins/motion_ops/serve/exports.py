"""The open data files (written by ``export_data``, :mod:`motion_ops.store.export_files`) for readers: ``/api/exports`` lists the complete
exports (newest version first, each file with its absolute URL, size and change time) and
``/exports/<file>`` serves one, both with ``ETag`` and ``Last-Modified`` (304 to a conditional
request). Only the names an export writes, of an export whose metadata file is there, are served:
nothing else of the folder, and no path."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response

from motion_ops.serve.errors import NotFound
from motion_ops.serve.headers import conditional, not_modified, validators
from motion_ops.serve.routes import EXPORT_FILE, EXPORTS, site_url
from motion_ops.store.export_files import FILE_NAME, complete, listing, metadata_name, regular_file

CSV_TYPE = "text/csv; charset=utf-8"
METADATA_TYPE = "application/csvm+json"  # CSVW's metadata (W3C)
_CHUNK = 1 << 20


class Digests:
    """Each served file's SHA-256 (its ETag), computed once per (name, size, change time)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, int, int], str] = {}
        self.lock = threading.Lock()

    def of(self, path: Path) -> str:
        st = path.stat()
        key = (path.name, st.st_size, st.st_mtime_ns)
        with self.lock:
            if key in self.known:
                return self.known[key]
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
        tag = '"' + digest.hexdigest()[:32] + '"'
        with self.lock:
            self.known = {k: v for k, v in self.known.items() if k[0] != path.name}  # an earlier state of the file
            self.known[key] = tag
        return tag


def exports_router(settings: Any) -> APIRouter:
    router = APIRouter()
    digests = Digests()

    def folder() -> Path:
        return Path(settings.exports_dir)

    @router.get(EXPORTS, tags=["open data"])
    def list_exports(request: Request) -> Response:
        """The open data exports: per published version, CSV files (motions, votes, related motions with
        their components, summaries) and their CSVW metadata file, newest version first."""
        base = site_url(request)
        items = listing(folder())
        for item in items:
            item["metadata_url"] = f"{base}/exports/{item['metadata']}"
            for f in item["files"]:
                f["url"] = f"{base}/exports/{f['name']}"
        newest = max((dt.datetime.fromisoformat(f["modified"]) for i in items for f in i["files"]), default=None)
        body = json.dumps({"items": items}, separators=(",", ":"), ensure_ascii=False).encode()
        return conditional(request.headers, body, "application/json", newest)

    @router.get(EXPORT_FILE, tags=["open data"])
    def export_file(request: Request, name: str = PathParam(..., max_length=80)) -> Response:
        """One file of an export, as ``/api/exports`` lists it."""
        m = FILE_NAME.match(name)
        path = folder() / name
        if m is None or not complete(folder(), int(m.group(1))) or not regular_file(path):
            raise NotFound(f"no export file {name!r}")
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
        headers = validators(digests.of(path), modified)
        if not_modified(request.headers, headers["etag"], modified):
            return Response(status_code=304, headers=headers)
        if m.group(2):  # a table: where CSVW processors find its metadata (CSVW, "Link Header")
            headers["link"] = f'<{metadata_name(int(m.group(1)))}>; rel="describedby"; type="{METADATA_TYPE}"'
        media_type = CSV_TYPE if m.group(2) else METADATA_TYPE
        return FileResponse(path, media_type=media_type, headers=headers, content_disposition_type="inline",
                            filename=name)

    return router
