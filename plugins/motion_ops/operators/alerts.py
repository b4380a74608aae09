"""Airflow operator of ``motion_alerts``: send the due e-mail digests (:mod:`motion_ops.alerts.send`)."""
from __future__ import annotations

import os
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from motion_ops.hooks import AlertsSmtpHook, EmbeddingsHook
from motion_ops.operators.base import MotionOpsOperator
from motion_ops.operators.enrichment import MigrateStoreOperator
from motion_ops.run import AlertParams


class _Setup(Exception):
    """Alerts are not set up for sending (no SMTP connection, no key, no site address)."""


class _Lazy:
    """The SMTP client, built when the first digest is sent: a store without subscriptions needs no
    SMTP connection (nor a key or a site address: see :meth:`SendDigestsOperator.key`)."""

    def __init__(self, conn_id: str):
        self.conn_id, self.sender = conn_id, None

    def _get(self) -> Any:
        if self.sender is None:
            from motion_ops.clients.redact import redact

            try:
                self.sender = AlertsSmtpHook(self.conn_id).get_conn()
            except Exception as exc:  # noqa: BLE001 - not defined, or not usable: a person must fix it
                raise _Setup(f"the SMTP connection {self.conn_id!r} cannot be used: "
                             f"{redact(f'{type(exc).__name__}: {exc}')}") from None
        return self.sender

    @property
    def from_email(self) -> str:
        return self._get().from_email

    def session(self) -> Any:
        return self._get().session()


class MigrateAlertsStoreOperator(MigrateStoreOperator):
    params_class = AlertParams

    @staticmethod
    def reports_dir(params: Any) -> None:  # motion_alerts writes no QA reports
        return None


class SendDigestsOperator(MotionOpsOperator):
    """Register the motions the published version brought and send each due subscription its
    digest through ``smtp_conn_id``; XCom: counts only (no address)."""

    params_class = AlertParams
    ui_color = "#fdf3e1"

    def __init__(self, *, smtp_conn_id: str = AlertsSmtpHook.default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id

    def query_vector(self, store: Any) -> Any:
        """Searches by meaning embed their query with the pipeline's provider, if it is the published model's."""
        from motion_ops.alerts.send import query_vectors

        published = (store.fetch_one("api_version", {"version": None}) or {}).get("model")
        try:
            embedder = EmbeddingsHook(self.motion_embeddings_conn_id).get_conn()
        except Exception as exc:  # noqa: BLE001 - no provider: searched by words
            self.log.warning("searches by meaning are searched by words: no embedding provider (%s)", type(exc).__name__)
            return query_vectors(None, None, published)

        def embed(q: str) -> list[float]:
            (result,) = embedder.embed([q], queries=True)
            if result.vector is None:
                raise ValueError("no vector")
            return result.vector.tolist()

        return query_vectors(embed, embedder.model, published)

    def execute(self, context: Any) -> dict[str, int]:
        from motion_ops.alerts import tokens
        from motion_ops.alerts.send import run_digests
        from motion_ops.alerts.smtp import MailUnavailable

        p = self.run_params(context)
        site_url = p.site_url or os.environ.get("MOTION_API_SITE_URL") or ""

        def key() -> bytes:  # checked on the first digest, with the SMTP connection
            if not site_url.startswith(("http://", "https://")):
                raise _Setup("the digests' links need the readers' site: set MOTION_API_SITE_URL in the workers' "
                             f"environment or the param site_url (http:// or https://), got {site_url!r}")
            try:
                return tokens.secret()
            except RuntimeError as exc:
                raise _Setup(str(exc)) from None

        now = context.get("logical_date") or context["dag_run"].run_after
        with self.store() as store:
            try:
                result = run_digests(store, _Lazy(self.smtp_conn_id), now=now, site_url=site_url, key=key,
                                     max_items=p.max_items, query_vector=self.query_vector(store), dry_run=p.dry_run)
            except MailUnavailable as exc:  # retried (default_args); the next run delivers what is left
                raise RuntimeError(f"send_digests: {exc}") from None
            except _Setup as exc:  # raised before the first digest: a person must fix the setup, no retry
                raise AirflowFailException(f"send_digests: {exc}; no digest was sent") from None
            self.finish(context, store, ("dry run: " if p.dry_run else "") + result.line(), items=result.sent,
                        failures=result.refused, write=not p.dry_run)
        return result.as_dict()
