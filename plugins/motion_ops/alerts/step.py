"""The ``send_digests`` task's step: what the digest run needs (the SMTP client, built on the first
digest; the links' key and the readers' site, checked then; the queries' vectors with the pipeline's
model) and the run itself (:func:`motion_ops.alerts.send.run_digests`), as a
:class:`~motion_ops.run.TaskResult`. Airflow's connections reach it as callables."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable

from motion_ops.alerts import tokens
from motion_ops.alerts.selection import QueryVector
from motion_ops.alerts.send import query_vectors, run_digests
from motion_ops.run import TaskResult
from motion_ops.store.db import Store

log = logging.getLogger(__name__)


class NotSetUp(Exception):
    """Alerts are not set up for sending (no SMTP connection, no key, no site address): a person must
    fix it; raised before the first digest."""


class LazySender:
    """The SMTP client, built when the first digest is sent: a store without subscriptions needs no
    SMTP connection (nor a key or a site address)."""

    def __init__(self, connect: Callable[[], Any], conn_id: str):
        self.connect, self.conn_id, self.sender = connect, conn_id, None

    def _get(self) -> Any:
        if self.sender is None:
            from motion_ops.clients.redact import redact

            try:
                self.sender = self.connect()
            except Exception as exc:  # noqa: BLE001 - not defined, or not usable: a person must fix it
                raise NotSetUp(f"the SMTP connection {self.conn_id!r} cannot be used: "
                               f"{redact(f'{type(exc).__name__}: {exc}')}") from None
        return self.sender

    @property
    def from_email(self) -> str:
        return self._get().from_email

    def session(self) -> Any:
        return self._get().session()


def link_key(site_url: str) -> Callable[[], bytes]:
    """The links' key, checked with the readers' site on the first digest."""
    def key() -> bytes:
        if not site_url.startswith(("http://", "https://")):
            raise NotSetUp("the digests' links need the readers' site: set MOTION_API_SITE_URL in the workers' "
                           f"environment or the param site_url (http:// or https://), got {site_url!r}")
        try:
            return tokens.secret()
        except RuntimeError as exc:
            raise NotSetUp(str(exc)) from None
    return key


def vectors(store: Store, connect_embedder: Callable[[], Any]) -> QueryVector:
    """Searches by meaning embed their query with the pipeline's provider, if it is the published model's."""
    published = (store.fetch_one("api_version", {"version": None}) or {}).get("model")
    try:
        embedder = connect_embedder()
    except Exception as exc:  # noqa: BLE001 - no provider: searched by words
        log.warning("searches by meaning are searched by words: no embedding provider (%s)", type(exc).__name__)
        return query_vectors(None, None, published)

    def embed(q: str) -> list[float]:
        (result,) = embedder.embed([q], queries=True)
        if result.vector is None:
            raise ValueError("no vector")
        return result.vector.tolist()

    return query_vectors(embed, embedder.model, published)


def digest_step(store: Store, *, connect_smtp: Callable[[], Any], smtp_conn_id: str,
                connect_embedder: Callable[[], Any], params: Any, site_url: str, now: dt.datetime) -> TaskResult:
    """Send the due digests; a setup a person must fix fails the task before the first digest.

    :raises motion_ops.alerts.smtp.MailUnavailable: the SMTP server cannot be reached (retried)."""
    try:
        result = run_digests(store, LazySender(connect_smtp, smtp_conn_id), now=now, site_url=site_url,
                             key=link_key(site_url), max_items=params.max_items,
                             query_vector=vectors(store, connect_embedder), dry_run=params.dry_run)
    except NotSetUp as exc:
        return TaskResult(fail=f"send_digests: {exc}; no digest was sent")
    return TaskResult(result.as_dict(), ("dry run: " if params.dry_run else "") + result.line(), items=result.sent,
                      failures=result.refused, write=not params.dry_run)
