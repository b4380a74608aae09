"""The commands for readers: ``serve`` (the read API and the explore page) and ``export`` (the open
data files of the published version)."""
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
