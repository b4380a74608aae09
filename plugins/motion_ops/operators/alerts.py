"""Airflow operator of ``motion_alerts``: send the due e-mail digests (:mod:`motion_ops.alerts.step`)."""
from __future__ import annotations

import os
from typing import Any

from motion_ops.hooks import AlertsSmtpHook, EmbeddingsHook
from motion_ops.operators.base import MotionOpsOperator
from motion_ops.run import AlertParams


class SendDigestsOperator(MotionOpsOperator):
    """Register the motions the published version brought and send each due subscription its
    digest through ``smtp_conn_id``; XCom: counts only (no address)."""

    params_class = AlertParams
    ui_color = "#fdf3e1"

    def __init__(self, *, smtp_conn_id: str = AlertsSmtpHook.default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id

    def execute(self, context: Any) -> dict[str, int]:
        from motion_ops.alerts.smtp import MailUnavailable
        from motion_ops.alerts.step import digest_step

        p = self.run_params(context)
        with self.store() as store:
            try:
                out = digest_step(store, connect_smtp=AlertsSmtpHook(self.smtp_conn_id).get_conn,
                                  smtp_conn_id=self.smtp_conn_id,
                                  connect_embedder=EmbeddingsHook(self.motion_embeddings_conn_id).get_conn, params=p,
                                  site_url=p.site_url or os.environ.get("MOTION_API_SITE_URL") or "",
                                  now=context.get("logical_date") or context["dag_run"].run_after)
            except MailUnavailable as exc:  # retried (default_args); the next run delivers what is left
                raise RuntimeError(f"send_digests: {exc}") from None
            return self.conclude(context, store, out)
