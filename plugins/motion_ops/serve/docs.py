"""The API docs page (Swagger UI) from assets installed with a package, never from a CDN: mounted
in Airflow, a script on this page would run on Airflow's origin. Swagger UI 5 (it reads
OpenAPI 3.1, which FastAPI writes) ships in the package ``fastapi-offline``; without it there is no
docs page; ``/openapi.json`` is always there."""
from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

ASSETS = {"swagger-ui-bundle.js": "application/javascript", "swagger-ui.css": "text/css"}


def installed_assets() -> Path | None:
    """The folder of Swagger UI's files in the ``fastapi-offline`` package, if it is installed (its
    files only: the package's code is not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "static"
    return folder if all((folder / name).is_file() for name in ASSETS) else None


def docs_router(assets: Path) -> APIRouter:
    """``/docs`` (the page), ``/docs/init.js`` (starts Swagger UI: no inline script) and its assets."""
    router = APIRouter(include_in_schema=False)

    def base(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    @router.get("/docs", response_class=HTMLResponse)
    def docs(request: Request) -> HTMLResponse:
        b = base(request)
        return HTMLResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>motion-ops API</title>'
            f'<link rel="stylesheet" href="{b}/docs/assets/swagger-ui.css"></head><body><div id="swagger-ui"></div>'
            f'<script src="{b}/docs/assets/swagger-ui-bundle.js"></script><script src="{b}/docs/init.js"></script>'
            '</body></html>')

    @router.get("/docs/init.js")
    def init(request: Request) -> Response:
        url = json.dumps(f"{base(request)}/openapi.json")
        return Response(f'SwaggerUIBundle({{url: {url}, dom_id: "#swagger-ui"}});\n',
                        media_type="application/javascript")

    @router.get("/docs/assets/{name}")
    def asset(name: str) -> Response:
        if name not in ASSETS:  # a fixed list: no path from the request reaches the file system
            raise HTTPException(404, "no such file")
        return FileResponse(assets / name, media_type=ASSETS[name])

    return router
