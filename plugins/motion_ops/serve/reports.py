"""The QA reports as web pages, read from the store: what the ``QA report`` link of ``qa_sample``
opens in the Airflow UI. Errors are plain pages without internals."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse

if TYPE_CHECKING:
    from motion_ops.store.db import Store

log = logging.getLogger(__name__)


def reports_app(store: Callable[[], "Store"]) -> FastAPI:
    """``GET /qa/{run_id}?version=&try=``: the stored QA page of a run (newest version and try by default).

    :param store: opens a store connection per request (closed after it).
    """
    app = FastAPI(title="motion-ops QA reports", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/qa/{run_id}", response_class=HTMLResponse)
    def qa_page(run_id: str, version: int | None = Query(None, ge=1),
                try_number: int | None = Query(None, alias="try", ge=1)) -> HTMLResponse:
        if len(run_id) > 250:
            return HTMLResponse("<p>No such run.</p>", status_code=404)
        try:
            with store() as s:
                row = s.fetch_one("select_qa_report_page", {"run_id": run_id, "version": version, "try_number": try_number})
        except Exception:  # noqa: BLE001 - the details go to the log, not to the browser
            log.exception("reading the QA report of run %s", run_id)
            return HTMLResponse("<p>The motion store cannot be read right now.</p>", status_code=503)
        if row is None:
            return HTMLResponse("<p>No QA report for this run (yet).</p>", status_code=404)
        return HTMLResponse(row["html"])

    return app
