"""PostgreSQL + pgvector store: connections, migrations and the named-query loader.

All SQL lives in ``include/sql`` (``migrations/NNN_name.sql``, ``queries/verb_noun.sql`` and the
``fragments/<name>.sql`` that queries include); this module only loads it and runs it with bound
parameters. Writes happen inside :meth:`Store.transaction`, so a crash leaves either all or
nothing of a unit of work.
"""
from __future__ import annotations

import functools
import logging
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import psycopg
from psycopg.rows import dict_row

if TYPE_CHECKING:
    from motion_ops.run import TaskResult

log = logging.getLogger(__name__)

SQL_DIR = Path(os.environ.get("MOTION_OPS_SQL_DIR", Path(__file__).resolve().parents[3] / "include" / "sql"))
_MIGRATION_LOCK = 7_300_001  # pg advisory lock key: one migrator at a time
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


@functools.lru_cache(maxsize=None)
def sql(name: str) -> str:
    """Return the text of the named query ``include/sql/queries/<name>.sql``, its fragments
    included (:func:`compose`)."""
    path = SQL_DIR / "queries" / f"{name}.sql"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"named query {name!r} not found at {path}") from None
    return compose(text)


_INCLUDE = re.compile(r"^[ \t]*-- include: ([a-z0-9_]+)[ \t]*$", re.M)


def compose(text: str, sql_dir: Path = SQL_DIR) -> str:
    """``text`` with every line ``-- include: <name>`` replaced by the fragment
    ``include/sql/fragments/<name>.sql``: one definition of a clause several queries share (a
    fragment includes nothing itself)."""
    def fragment(m: re.Match[str]) -> str:
        path = sql_dir / "fragments" / f"{m.group(1)}.sql"
        try:
            return path.read_text(encoding="utf-8").rstrip("\n")
        except FileNotFoundError:
            raise FileNotFoundError(f"SQL fragment {m.group(1)!r} not found at {path}") from None

    return _INCLUDE.sub(fragment, text)


_NAMED_PARAM = re.compile(r"%%|%\((\w+)\)s")


def positional(query: str) -> tuple[str, list[str]]:
    """A named query's ``%(name)s`` placeholders as libpq's ``$1, $2, …`` (``%%`` as ``%``), and
    the parameter names in that order: for code that talks to libpq directly (``psycopg.pq``)."""
    names: list[str] = []

    def number(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return "%"
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _NAMED_PARAM.sub(number, query), names


def migration_files(sql_dir: Path = SQL_DIR) -> list[tuple[str, Path]]:
    """Migrations as ``(version, path)``, ordered by version; other files are an error."""
    found = []
    for path in sorted((sql_dir / "migrations").glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file name {path.name!r} is not NNN_name.sql")
        found.append((path.stem, path))
    return found


# extras of the Postgres provider's connection that are not libpq parameters
_NOT_LIBPQ = {"cursor", "iam", "redshift", "redshift-serverless", "aws_conn_id", "cluster-identifier",
              "workgroup-name", "enable_log_db_messages", "sqlalchemy_scheme", "sqlalchemy_query", "dbname"}


def dsn_from_connection(conn: Any) -> str:
    """A libpq connection string from a ``postgres`` connection: ``host/port/login/password/schema``
    (= database, or extra ``dbname``); every other extra is a libpq parameter (``sslmode``,
    ``sslrootcert``, ``options``, ``application_name``, ...), as the Postgres provider passes them."""
    from psycopg.conninfo import make_conninfo

    extra = conn.extra_dejson
    libpq = {k: v for k, v in extra.items() if k not in _NOT_LIBPQ and v not in (None, "")}
    return make_conninfo(host=conn.host or None, port=conn.port or None, user=conn.login or None,
                         password=conn.password or None, dbname=conn.schema or extra.get("dbname") or None, **libpq)


class Store:
    """A connection to the motion store.

    :param dsn: a libpq connection string or URI (``postgresql://…``).
    """

    def __init__(self, dsn: str, *, application_name: str = "motion_ops"):
        self.dsn = dsn
        self.application_name = application_name
        self._conn: psycopg.Connection | None = None
        self._depth = 0  # how many transaction() blocks are open

    @property
    def conn(self) -> psycopg.Connection:
        """The open connection (opened on first use, with pgvector types registered)."""
        if self._conn is None or self._conn.closed:
            conn = psycopg.connect(self.dsn, application_name=self.application_name, connect_timeout=15)
            try:
                from pgvector.psycopg import register_vector

                register_vector(conn)
            except psycopg.ProgrammingError:
                # the extension is created by the first migration; register after migrate()
                conn.rollback()
            self._conn = conn
        return self._conn

    def check(self) -> tuple[bool, str]:
        """(ok, message) for a connection test: reachable, pgvector available, migrations pending."""
        row = self.conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
        available = self.conn.execute("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'").fetchone()
        self.conn.rollback()
        if row is None and available is None:
            return False, "connected, but the pgvector extension is not available on this server"
        pending = self.pending_migrations()
        vector = f"pgvector {row[0]}" if row else f"pgvector {available[0]} available"
        return True, f"connected; {vector}; " + (f"{len(pending)} migrations pending" if pending else "schema up to date")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Cursor]:
        """A cursor (dict rows) inside one transaction: commit on success, roll back on error."""
        conn = self.conn
        if self._depth == 0 and conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            # a bare conn.execute() left a transaction open: this block would be a savepoint in it,
            # and what it writes would not be committed (nor seen by anyone else). Reads only (no
            # transaction id assigned): end it; uncommitted writes: refuse, they are the caller's
            if conn.execute("SELECT txid_current_if_assigned()").fetchone()[0] is not None:
                raise RuntimeError("the store's connection has uncommitted writes outside Store.transaction(); "
                                   "commit or roll them back first")
            conn.commit()
        self._depth += 1
        try:
            with conn.transaction():
                with conn.cursor(row_factory=dict_row) as cur:
                    yield cur
        finally:
            self._depth -= 1

    def fetch(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run the named query and return all rows as dicts."""
        with self.transaction() as cur:
            cur.execute(sql(name), params or {})
            return cur.fetchall() if cur.description else []

    def fetch_one(self, name: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        rows = self.fetch(name, params)
        return rows[0] if rows else None

    def read(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a named read on an autocommit connection (the read API's): one round trip, no
        BEGIN/COMMIT around it. On a connection that is not autocommit, as :meth:`fetch`."""
        if not self.conn.autocommit:
            return self.fetch(name, params)
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql(name), params or {})
            return cur.fetchall() if cur.description else []

    def read_one(self, name: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        rows = self.read(name, params)
        return rows[0] if rows else None

    def execute(self, name: str, params: dict[str, Any] | None = None) -> int:
        """Run the named statement in its own transaction; return the row count."""
        with self.transaction() as cur:
            cur.execute(sql(name), params or {})
            return cur.rowcount

    def pending_migrations(self, sql_dir: Path = SQL_DIR) -> list[str]:
        """The migrations not yet applied (reads only; an empty store has them all pending)."""
        with self.transaction() as cur:
            cur.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
            done: set[str] = set()
            if cur.fetchone()["present"]:
                cur.execute("SELECT version FROM schema_migrations")
                done = {r["version"] for r in cur.fetchall()}
        return [version for version, _ in migration_files(sql_dir) if version not in done]

    def migrate(self, sql_dir: Path = SQL_DIR) -> list[str]:
        """Apply the migrations not yet recorded in ``schema_migrations``; return what ran."""
        applied: list[str] = []
        conn = self.conn
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            cur.execute("SELECT version FROM schema_migrations")
            done = {r[0] for r in cur.fetchall()}
            for version, path in migration_files(sql_dir):
                if version in done:
                    continue
                log.info("applying migration %s", path.name)
                cur.execute(path.read_text(encoding="utf-8"))
                cur.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
                applied.append(version)
        from pgvector.psycopg import register_vector

        register_vector(conn)
        return applied



def migrate_step(store: Store, *, dry_run: bool) -> "TaskResult":
    """The ``migrate_store`` task: apply the pending migrations (its XCom: which); a dry run only
    checks and fails when any is pending."""
    from motion_ops.run import TaskResult  # the store's other users (the readers' app) need no run params

    if dry_run:
        pending = store.pending_migrations()
        if pending:
            return TaskResult(fail=f"dry_run: the store needs migrations {', '.join(pending)}; run once without dry_run "
                                "(or `python -m motion_ops migrate`) first")
        return TaskResult(value=[], line="schema up to date (dry run: nothing applied)", write=False)
    applied = store.migrate()
    return TaskResult(value=applied, items=len(applied), line=f"applied migrations {', '.join(applied)}" if applied else
                   "schema up to date: no migration pending")
