"""Commit feed pages (``merge_feed_page``) strictly in order, one in flight, on a connection of its own."""
from __future__ import annotations

import select
from typing import Any

import psycopg
from psycopg import pq

from motion_ops.store.db import positional, sql

# merge_feed_page's parameters and their PostgreSQL types (sent in text format)
_PAGE_PARAM_TYPES = {"category": 25, "page": 3802, "checkpoint": 20}  # text, jsonb, int8


class PageRejected(Exception):
    """The database refused a page's data (SQLSTATE class 22: a value it cannot store); nothing of
    the page is stored and its checkpoint did not move."""

    def __init__(self, message: str, *, category: str):
        super().__init__(message)
        self.category = category


def _text_param(value: Any) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else str(int(value))).encode()


class PageWriter:
    """Writes pages while the caller parses the next one; a later checkpoint never passes a page
    that is not stored.

    :meth:`put` sends a page's statement and returns at once, so PostgreSQL works on page i while
    the caller parses page i+1. Each page is one statement (its own implicit transaction): its
    entities, parent pointers and the moved checkpoint commit together or not at all. The next
    :meth:`put` (or :meth:`close`) first waits for the page before and raises its error, if any,
    before anything later is sent. ``changed`` counts changed entities per category.

    It speaks libpq's asynchronous protocol (``psycopg.pq``: one prepared statement, then per
    page one send and one result), so each page commits as soon as it is written. The prepared
    statement needs a session-level connection (PgBouncer in transaction mode: 1.21 or later).
    """

    _STATEMENT = b"motion_ops_merge_feed_page"

    def __init__(self, dsn: str, *, name: str = "feed-writer"):
        self.conn = psycopg.connect(dsn, autocommit=True, application_name=f"motion_ops {name}", connect_timeout=15)
        self.changed: dict[str, int] = {}
        self._in_flight: str | None = None  # the category of the page sent and not yet confirmed
        try:
            self._pg = pg = self.conn.pgconn
            query, self._names = positional(sql("merge_feed_page"))
            self._check(pg.prepare(self._STATEMENT, query.encode(), [_PAGE_PARAM_TYPES[n] for n in self._names]))
            self._poll = select.poll()  # not select(): an Airflow worker may hold more than 1024 files
            self._poll.register(pg.socket, select.POLLIN)
        except BaseException:
            self.conn.close()
            raise

    def put(self, params: dict[str, Any]) -> None:
        """Confirm the page before, then send this one (``merge_feed_page`` parameters)."""
        self.wait()
        self._pg.send_query_prepared(self._STATEMENT, [_text_param(params[n]) for n in self._names])
        self._in_flight = params["category"]

    def wait(self) -> None:
        """Until the page in flight is committed; raise its error (:class:`PageRejected` for bad data)."""
        if self._in_flight is None:
            return
        category, self._in_flight = self._in_flight, None
        pg = self._pg
        pg.consume_input()
        while pg.is_busy():  # the GIL is released while polling: the fetch thread runs meanwhile
            self._poll.poll()
            pg.consume_input()
        result = pg.get_result()
        while pg.get_result() is not None:  # the end of this statement's results
            pass
        try:
            self._check(result)
        except psycopg.errors.DataError as exc:
            raise PageRejected(f"the database refused a {category} page: {exc}", category=category) from exc
        self.changed[category] = self.changed.get(category, 0) + int(result.get_value(0, 0))

    def _check(self, result: Any) -> None:
        """Raise psycopg's exception for the result's SQLSTATE (as a psycopg cursor would) unless
        the command succeeded."""
        if result is not None and result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
            return
        message = (result.error_message if result is not None else self._pg.error_message).decode(errors="replace")
        sqlstate = result.error_field(pq.DiagnosticField.SQLSTATE) if result is not None else None
        error: type[Exception] = psycopg.OperationalError
        if sqlstate:
            try:
                error = psycopg.errors.lookup(sqlstate.decode())
            except KeyError:
                error = psycopg.DatabaseError
        raise error(message.strip())

    def close(self) -> None:
        """Confirm the last page and close the connection; raise a write error."""
        try:
            self.wait()
        finally:
            self.conn.close()
