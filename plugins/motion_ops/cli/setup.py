"""The commands that set up: ``migrate``, ``grant-reader``, ``check-connections``."""
from __future__ import annotations

import argparse
import os

from motion_ops.cli.args import store as store_of


def cmd_check_connections(args: argparse.Namespace) -> int:
    from motion_ops.hooks import EmbeddingsHook, LlmHook, MotionDbHook, MotionFeedHook

    ok_all = True
    for name, hook in (("motion_db", MotionDbHook()), ("motion_feed", MotionFeedHook()),
                       ("motion_embeddings", EmbeddingsHook()), ("motion_llm", LlmHook())):
        try:
            ok, msg = hook.test_connection()
        except Exception as exc:  # a broken connection definition
            from motion_ops.clients.redact import redact

            ok, msg = False, redact(f"{type(exc).__name__}: {exc}")
        ok_all &= ok
        print(f"{name:<18} {'ok  ' if ok else 'FAIL'} {msg}")
    return 0 if ok_all else 1


def cmd_migrate(args: argparse.Namespace) -> int:
    with store_of(args) as store:
        applied = store.migrate()
    print(f"store migrations applied: {', '.join(applied) or 'none (up to date)'}")
    return 0


def cmd_grant_reader(args: argparse.Namespace) -> int:
    """Create (or update) the read API's login: a member of motion_reader, password from the environment."""
    from psycopg import sql as pgsql

    password = os.environ.get("MOTION_API_DB_PASSWORD")
    if not password:
        raise ValueError("set MOTION_API_DB_PASSWORD to the read API login's password")
    with store_of(args) as store, store.transaction() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (args.user,))
        verb = "ALTER" if cur.fetchone() else "CREATE"
        cur.execute(pgsql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(pgsql.Identifier(args.user),
                                                                         pgsql.Literal(password)))
        cur.execute(pgsql.SQL("GRANT motion_reader TO {}").format(pgsql.Identifier(args.user)))
    print(f"{args.user}: a login of the read-only role motion_reader ({verb.lower()}d)")
    return 0
