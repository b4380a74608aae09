"""The Airflow plugin of motion-ops: the QA report pages inside the api-server (``/motion-ops``)
and the ``QA report`` link on ``qa_sample``. (``motion_ops/`` itself is a library: see .airflowignore.)"""
from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from motion_ops.operators import QaReportLink


def _app():
    from motion_ops.hooks import MotionDbHook
    from motion_ops.serve.reports import reports_app

    return reports_app(lambda: MotionDbHook().get_conn())


class MotionOpsPlugin(AirflowPlugin):
    name = "motion_ops"
    fastapi_apps = [{"app": _app(), "url_prefix": "/motion-ops", "name": "motion-ops QA reports"}]
    operator_extra_links = [QaReportLink()]
