"""The QA reports as web pages, read from the store: what the ``QA report`` link of ``qa_sample``
opens in the Airflow UI. Errors are plain pages without internals."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from motion_ops.serve.routes import MAX_BIGINT

log = logging.getLogger(__name__)


def reports_router(stores: Any) -> APIRouter:
    """``GET /qa/{run_id}?version=&try=``: the stored QA page of a run (newest version and try by default)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/qa/{run_id}", response_class=HTMLResponse)
    def qa_page(run_id: str, version: int | None = Query(None, ge=1, le=MAX_BIGINT),
                try_number: int | None = Query(None, alias="try", ge=1, le=2**31 - 1)) -> HTMLResponse:
        if len(run_id) > 250:
            return HTMLResponse("<p>No such run.</p>", status_code=404)
        try:
            with stores.lease() as store:
                row = store.read_one("select_qa_report_page", {"run_id": run_id, "version": version,
                                                               "try_number": try_number})
        except Exception:  # noqa: BLE001 - the details go to the log, not to the browser
            log.exception("reading the QA report of run %s", run_id)
            return HTMLResponse("<p>The motion store cannot be read right now.</p>", status_code=503)
        if row is None:
            return HTMLResponse("<p>No QA report for this run (yet).</p>", status_code=404)
        return HTMLResponse(row["html"])

    return router
