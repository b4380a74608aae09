"""Command line of motion-ops: ``python -m motion_ops [--dsn URI] <command>``; ``-h`` lists the
commands with what each does, ``<command> -h`` shows a command's options.

Commands (defined once, in :func:`build_parser`; a test keeps this list equal to it): the store's
state ``status``, ``related``, ``audit``, ``qa-report``; setting up ``migrate``, ``grant-reader``,
``check-connections``; decisions ``approvals``, ``release-quarantine``, ``prune-embeddings``; readers
``serve``, ``curated``; files, without a database, ``parse-feed``, ``extract-text``.

The store is found through the ``motion_db`` Airflow connection (``AIRFLOW_CONN_MOTION_DB``) or
``--dsn``; the parse/extract commands need no database.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from motion_ops.store.db import Store

MAX_FILE_BYTES = 50 * 2**20  # parse-feed / extract-text read at most this much (--max-bytes)


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {n}")
    return n


def _guid(value: str) -> str:
    from motion_ops.parsers.feedpage import is_guid

    if not is_guid(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a motion id (a GUID)")
    return value.lower()


def _read(path: str, max_bytes: int) -> bytes:
    """A file's bytes, refusing one larger than ``max_bytes`` before reading it."""
    with open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"{path} is larger than {max_bytes} bytes (raise --max-bytes to read it)")
    return data


def _store(args: argparse.Namespace) -> Store:
    if args.dsn:
        return Store(args.dsn)
    from motion_ops.hooks import MotionDbHook

    return MotionDbHook().get_conn()


def cmd_parse_feed(args: argparse.Namespace) -> int:
    from motion_ops.parsers.feedpage import parse_page

    page = parse_page(_read(args.file, args.max_bytes), where=args.file)
    for e in page.entities:
        print(json.dumps({"category": e.category, "id": e.id, "skiptoken": e.skiptoken, **e.raw()}, ensure_ascii=False))
    print(json.dumps({"next_skiptoken": page.next_skiptoken, "resume": page.resume, "entities": len(page.entities)}),
          file=sys.stderr)
    return 0


def cmd_extract_text(args: argparse.Namespace) -> int:
    from motion_ops.parsers.bodytext import extract_publication_text

    print(extract_publication_text(_read(args.file, args.max_bytes), where=args.file))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from motion_ops.status import status_lines

    with _store(args) as store:
        print("\n".join(status_lines(store)))
    return 0


def cmd_qa_report(args: argparse.Namespace) -> int:
    from motion_ops.qa import format_table

    with _store(args) as store:
        rows = store.fetch("select_qa_report", {"run_id": args.run_id})
    if not rows:
        print(f"no QA report for run {args.run_id!r}", file=sys.stderr)
        return 1
    for r in rows:
        m = r["metrics"]
        print(f"run {r['run_id']}: version {r['version']} {'PASSED' if r['passed'] else 'FAILED'} "
              f"({m['sample_size']} of {m['population']} sampled, {r['created_at']:%Y-%m-%d %H:%M})")
        print(format_table(m["checks"]))
        print(f"rank-1 p10/p50/p90: {m['distribution'].get('rank1')}  (last published: "
              f"{(m.get('previous_distribution') or {}).get('rank1')})")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    with _store(args) as store:
        rows = store.fetch("select_recent_audit", {"action": args.action, "since": None, "limit": args.limit})
    for r in rows:
        where = f"{r['dag_id']}/{r['run_id']}/{r['task_id']}" + (f"[{r['map_index']}]" if r["map_index"] is not None else "")
        print(f"{r['at']:%Y-%m-%d %H:%M:%S} {r['action']:<20} {r['target']}  {where}  {json.dumps(r['metadata'])[:200]}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    with _store(args) as store:
        if args.stage == "summaries":
            from motion_ops.summaries.retry import release

            rows = release(store, args.ids or None)
            print(f"released {len(rows)} quarantined motion(s); they are summarized again on the next run")
            return 0
        rows = store.fetch("release_quarantine", {"model": args.model, "ids": args.ids or None})
    print(f"released {len(rows)} quarantined item(s); they are embedded again on the next run")
    return 0


def cmd_approvals(args: argparse.Namespace) -> int:
    from motion_ops import pilot
    from motion_ops.summaries.plan import PROMPT_KEY

    with _store(args) as store:
        if args.action == "list":
            rows = pilot.decisions(store)
            for r in rows:
                print(f"{r['decision']:<9} {r['chain']}  ({r['prompt_key']})  by {r['decided_by']} on "
                      f"{r['decided_at']:%Y-%m-%d %H:%M}" + (f"; pilot report {r['report_path']}" if r["report_path"] else ""))
            if not rows:
                print("no decisions yet: a chain's first run pilots it and waits for approval in the UI")
            return 0
        if not args.chain:
            raise ValueError("--chain is required (e.g. 'openai:gpt-4o-mini > ollama:llama3.1', as `approvals list` shows it)")
        user = os.environ.get("USER") or "cli"
        r = pilot.record(store, chain=args.chain, prompt_key=args.prompt or PROMPT_KEY,
                         decision_=pilot.APPROVED if args.action == "approve" else pilot.REVOKED, by=f"{user} (cli)")
    print(f"{r['decision']} {r['chain']} ({r['prompt_key']}) by {r['decided_by']}")
    return 0


def cmd_curated(args: argparse.Namespace) -> int:
    from motion_ops.store import curated

    with _store(args) as store:
        if args.action == "list":
            rows = curated.entries(store)
            for r in rows:
                print(f"{r['nummer'] or r['id']}  {r['title'] or ''}\n    {r['note']}  (since {r['added_at']:%Y-%m-%d})")
            if not rows:
                print("no curated motions: `curated add <id or number> --note '...'` picks one")
            return 0
        if not args.motion:
            raise ValueError(f"curated {args.action} needs the motion's id or number")
        if args.action == "add":
            if args.note is None:
                raise ValueError("--note is required: what readers should know about this motion (1 to 280 characters)")
            try:
                r = curated.add(store, args.motion, args.note)
            except LookupError as exc:
                raise ValueError(str(exc)) from None
            print(f"curated {r['id']}: {r['note']}")
            return 0
        if not curated.remove(store, args.motion):
            print(f"{args.motion} was not curated")
            return 1
    print(f"no longer curated: {args.motion}")
    return 0


def cmd_prune_embeddings(args: argparse.Namespace) -> int:
    from motion_ops.switch import prune

    with _store(args) as store:
        gone = prune(store, args.keep)
    print(f"pruned {sum(gone.values())} vectors of {', '.join(gone) or 'no other model'}; kept {args.keep}")
    return 0


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
    with _store(args) as store:
        applied = store.migrate()
    print(f"store migrations applied: {', '.join(applied) or 'none (up to date)'}")
    return 0


def cmd_related(args: argparse.Namespace) -> int:
    with _store(args) as store:
        motion = store.fetch_one("select_motion_by_key", {"key": args.motion})
        if motion is None:
            print(f"no motion with id or number {args.motion!r}", file=sys.stderr)
            return 1
        print(f"{motion['nummer'] or motion['id']}  {motion['title']}  [dossier {motion['dossier']}]")
        rows = store.fetch("select_related", {"id": motion["id"], "limit": args.limit})
        earlier = store.fetch("select_earlier_versions", {"id": motion["id"]})
    from motion_ops.numerics.relatedness import reason

    if not rows:
        print("  no related motions in the published version")
    for r in rows:
        print(f"  {r['rank']:>2}. {r['score']:.3f}  {r['nummer'] or r['neighbour_id']}  {r['title']}  [dossier {r['dossier']}]")
        if r["text_score"] is not None:
            print(f"      related because: {reason(r, r['min_common_parties'])}")
    for e in earlier:
        print(f"  earlier version: {e['nummer'] or e['earlier_id']}  {e['title']}  ({e['started_on']}; linked by {e['signal']})")
    return 0


def cmd_grant_reader(args: argparse.Namespace) -> int:
    """Create (or update) the read API's login: a member of motion_reader, password from the environment."""
    import os

    from psycopg import sql as pgsql

    password = os.environ.get("MOTION_API_DB_PASSWORD")
    if not password:
        raise ValueError("set MOTION_API_DB_PASSWORD to the read API login's password")
    with _store(args) as store, store.transaction() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (args.user,))
        verb = "ALTER" if cur.fetchone() else "CREATE"
        cur.execute(pgsql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(pgsql.Identifier(args.user),
                                                                         pgsql.Literal(password)))
        cur.execute(pgsql.SQL("GRANT motion_reader TO {}").format(pgsql.Identifier(args.user)))
    print(f"{args.user}: a login of the read-only role motion_reader ({verb.lower()}d)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from motion_ops.serve.standalone import serve

    if args.dsn:
        os.environ["MOTION_API_DSN"] = args.dsn
    print(f"serving the explore page at http://{args.host}:{args.port}/ and the API at /api (/openapi.json)")
    serve(args.host, args.port, args.workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line: every command, its help and its options."""
    ap = argparse.ArgumentParser(prog="python -m motion_ops", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dsn", help="libpq URI of the store (default: the motion_db connection)")
    sub = ap.add_subparsers(dest="command", required=True, title="commands", metavar="<command>")
    p = sub.add_parser("status", help="counts a user needs: motions, texts, embeddings, failures, checkpoints, version")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("related", help="a motion's related motions in the published version")
    p.add_argument("motion", help="the motion's id or number (e.g. 2025Z01234)")
    p.add_argument("--limit", type=_positive, default=10)
    p.set_defaults(func=cmd_related)
    p = sub.add_parser("parse-feed", help="print a saved SyncFeed page's entities as JSON lines")
    p.add_argument("file")
    p.add_argument("--max-bytes", type=_positive, default=MAX_FILE_BYTES)
    p.set_defaults(func=cmd_parse_feed)
    p = sub.add_parser("extract-text", help="print the text of a publication XML file")
    p.add_argument("file")
    p.add_argument("--max-bytes", type=_positive, default=MAX_FILE_BYTES)
    p.set_defaults(func=cmd_extract_text)
    p = sub.add_parser("qa-report", help="print the stored QA report of a DAG run")
    p.add_argument("run_id")
    p.set_defaults(func=cmd_qa_report)
    p = sub.add_parser("audit", help="recent audit events")
    p.add_argument("--action", help="e.g. embedding_failed, body_fetch_failed, feed_page_failed, summary_rejected")
    p.add_argument("--limit", type=_positive, default=20)
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("release-quarantine", help="let quarantined motions be embedded (or summarized) again")
    p.add_argument("--stage", choices=("embeddings", "summaries"), default="embeddings")
    p.add_argument("--model", help="embeddings: only this model's")
    p.add_argument("ids", nargs="*", type=_guid)
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
    p.add_argument("--port", type=_positive, default=8000)
    p.add_argument("--workers", type=_positive, default=1)
    p.set_defaults(func=cmd_serve)
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
