"""Command line of motion-ops: ``python -m motion_ops [--dsn URI] <command>``; ``-h`` lists the
commands with what each does, ``<command> -h`` shows a command's options.

Commands (defined once, in :func:`build_parser`; a test keeps this list equal to it): the store's
state ``status``, ``related``, ``audit``, ``qa-report``; setting up ``migrate``, ``grant-reader``,
``check-connections``; decisions ``approvals``, ``release-quarantine``, ``prune-embeddings``; readers
``serve``, ``export``, ``curated``; files, without a database, ``parse-feed``, ``extract-text``.

The store is found through the ``motion_db`` Airflow connection (``AIRFLOW_CONN_MOTION_DB``) or
``--dsn``; the parse/extract commands need no database.

Each group of commands is a module: :mod:`.state`, :mod:`.setup`, :mod:`.decisions`,
:mod:`.readers`, :mod:`.files`; what they share (argument types, the store, reading a file) is
:mod:`.args`.
"""
from __future__ import annotations

import argparse
import sys

from motion_ops.cli.args import guid, positive
from motion_ops.cli.decisions import cmd_approvals, cmd_prune_embeddings, cmd_release
from motion_ops.cli.files import MAX_FILE_BYTES, cmd_extract_text, cmd_parse_feed
from motion_ops.cli.readers import cmd_curated, cmd_export, cmd_serve
from motion_ops.cli.setup import cmd_check_connections, cmd_grant_reader, cmd_migrate
from motion_ops.cli.state import cmd_audit, cmd_qa_report, cmd_related, cmd_status


def build_parser() -> argparse.ArgumentParser:
    """The command line: every command, its help and its options."""
    ap = argparse.ArgumentParser(prog="python -m motion_ops", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dsn", help="libpq URI of the store (default: the motion_db connection)")
    sub = ap.add_subparsers(dest="command", required=True, title="commands", metavar="<command>")
    p = sub.add_parser("status", help="counts a user needs: motions, texts, embeddings, failures, checkpoints, version")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("related", help="a motion's related motions in the published version")
    p.add_argument("motion", help="the motion's id or number (e.g. 2025Z01234)")
    p.add_argument("--limit", type=positive, default=10)
    p.set_defaults(func=cmd_related)
    p = sub.add_parser("parse-feed", help="print a saved SyncFeed page's entities as JSON lines")
    p.add_argument("file")
    p.add_argument("--max-bytes", type=positive, default=MAX_FILE_BYTES)
    p.set_defaults(func=cmd_parse_feed)
    p = sub.add_parser("extract-text", help="print the text of a publication XML file")
    p.add_argument("file")
    p.add_argument("--max-bytes", type=positive, default=MAX_FILE_BYTES)
    p.set_defaults(func=cmd_extract_text)
    p = sub.add_parser("qa-report", help="print the stored QA report of a DAG run")
    p.add_argument("run_id")
    p.set_defaults(func=cmd_qa_report)
    p = sub.add_parser("audit", help="recent audit events")
    p.add_argument("--action", help="e.g. embedding_failed, body_fetch_failed, feed_page_failed, summary_rejected")
    p.add_argument("--limit", type=positive, default=20)
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("release-quarantine", help="let quarantined motions be embedded (or summarized) again")
    p.add_argument("--stage", choices=("embeddings", "summaries"), default="embeddings")
    p.add_argument("--model", help="embeddings: only this model's")
    p.add_argument("ids", nargs="*", type=guid)
    p.set_defaults(func=cmd_release)
    p = sub.add_parser("prune-embeddings", help="delete the vectors of every model but one (ends a model switch)")
    p.add_argument("--keep", required=True, help="the model key to keep, as `status` shows it")
    p.set_defaults(func=cmd_prune_embeddings)
    p = sub.add_parser("approvals", help="list, approve or revoke the LLM chains and embedding models (pilots)")
    p.add_argument("action", choices=("list", "approve", "revoke"))
    p.add_argument("--chain", help="the chain as `approvals list` and the pilot report name it")
    p.add_argument("--prompt", help="the prompt key (default: the summaries' current one; `embeddings` for a model)")
    p.set_defaults(func=cmd_approvals)
    p = sub.add_parser("check-connections", help="test motion_db, motion_feed, motion_embeddings and motion_llm (when defined)")
    p.set_defaults(func=cmd_check_connections)
    p = sub.add_parser("migrate", help="apply the store's SQL migrations (idempotent)")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("grant-reader", help="create or update the read API's login (password: $MOTION_API_DB_PASSWORD)")
    p.add_argument("user")
    p.set_defaults(func=cmd_grant_reader)
    p = sub.add_parser("serve", help="serve the read API and the explore page (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=positive, default=8000)
    p.add_argument("--workers", type=positive, default=1)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("export", help="write the published version's CSV files and their CSVW metadata (open data)")
    p.add_argument("--dir", help="the folder (default: $MOTION_OPS_EXPORTS_DIR, else $AIRFLOW_HOME/exports)")
    p.add_argument("--force", action="store_true", help="rewrite an export of the version that is there already")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("curated", help="add, remove or list the motions the landing page presents first, with a note")
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("motion", nargs="?", help="add/remove: the motion's id or number (e.g. 2025Z01234)")
    p.add_argument("--note", help="add: a short note for readers (1 to 280 characters)")
    p.set_defaults(func=cmd_curated)
    return ap


def commands() -> dict[str, str]:
    """{command: its help}, read from :func:`build_parser`."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {action.dest: action.help for action in sub._choices_actions}


def main(argv: list[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - a person reads this: one line, no traceback, no secrets
        import psycopg

        from motion_ops.clients.redact import redact
        from motion_ops.parsers.bodytext import UnsupportedContent
        from motion_ops.parsers.feedpage import FeedFormatError

        if not isinstance(exc, (psycopg.Error, OSError, ValueError, UnsupportedContent, FeedFormatError)):
            raise
        print(f"error: {redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)}",
              file=sys.stderr)
        return 1
