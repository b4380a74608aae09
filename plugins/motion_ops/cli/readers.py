"""The command for readers: ``serve`` (the read API and the explore page)."""
from __future__ import annotations

import argparse
import os


def cmd_serve(args: argparse.Namespace) -> int:
    from motion_ops.serve.standalone import serve

    if args.dsn:
        os.environ["MOTION_API_DSN"] = args.dsn
    print(f"serving the explore page at http://{args.host}:{args.port}/ and the API at /api (/openapi.json)")
    serve(args.host, args.port, args.workers)
    return 0
