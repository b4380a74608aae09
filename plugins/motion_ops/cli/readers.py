"""The commands for what readers get: ``serve`` (the read API and the explore page), ``export`` (the
open data files of the published version) and ``curated`` (the motions the landing page presents first)."""
from __future__ import annotations

import argparse
import os

from motion_ops.cli.args import store


def cmd_serve(args: argparse.Namespace) -> int:
    from motion_ops.serve.standalone import serve

    if args.dsn:
        os.environ["MOTION_API_DSN"] = args.dsn
    print(f"serving the explore page at http://{args.host}:{args.port}/ and the API at /api (/openapi.json)")
    serve(args.host, args.port, args.workers)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from motion_ops.exports import export, summary_line
    from motion_ops.store.export_files import export_dir

    with store(args) as db:
        print(summary_line(export(db, export_dir(args.dir), force=args.force)))
    return 0


def cmd_curated(args: argparse.Namespace) -> int:
    from motion_ops.store import curated

    with store(args) as db:
        if args.action == "list":
            rows = curated.entries(db)
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
                r = curated.add(db, args.motion, args.note)
            except LookupError as exc:
                raise ValueError(str(exc)) from None
            print(f"curated {r['id']}: {r['note']}")
            return 0
        if not curated.remove(db, args.motion):
            print(f"{args.motion} was not curated")
            return 1
    print(f"no longer curated: {args.motion}")
    return 0
