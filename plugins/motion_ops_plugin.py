"""The Airflow plugin of motion-ops: the readers' app (explore page, read API, QA report pages)
inside the api-server at ``/motion-ops``, a "Related motions" link in the UI's navigation, and
the ``QA report`` link on ``qa_sample``. (``motion_ops/`` itself is a library: see .airflowignore.)"""
from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from motion_ops.operators.enrichment import QaReportLink

URL_PREFIX = "/motion-ops"


def _app():
    from motion_ops.serve.app import Settings, create_app
    from motion_ops.serve.query_embedding import QueryEmbedder
    from motion_ops.serve.standalone import embeddings_config, mailer

    def dsn() -> str:
        from motion_ops.hooks import MotionDbHook

        return MotionDbHook().dsn()

    # nothing is looked up here: the connections are read on the first request (the embedder on the
    # first semantic query), so loading the plugin never fails on them; mounted, root_path is set.
    # No lifespan: the api-server's process (threads, GC, switch interval) is Airflow's
    return create_app(Settings(dsn_factory=dsn, embed=QueryEmbedder(embeddings_config), mailer=mailer))


class MotionOpsPlugin(AirflowPlugin):
    name = "motion_ops"
    fastapi_apps = [{"app": _app(), "url_prefix": URL_PREFIX, "name": "motion-ops: related motions"}]
    external_views = [{"name": "Related motions", "href": f"{URL_PREFIX}/", "destination": "nav",
                       "url_route": "related-motions"}]
    operator_extra_links = [QaReportLink()]
