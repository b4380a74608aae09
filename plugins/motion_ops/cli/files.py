"""The commands on files, without a database: ``parse-feed``, ``extract-text``."""
from __future__ import annotations

import argparse
import json
import sys

from motion_ops.cli.args import read

MAX_FILE_BYTES = 50 * 2**20  # parse-feed / extract-text read at most this much (--max-bytes)


def cmd_parse_feed(args: argparse.Namespace) -> int:
    from motion_ops.parsers.feedpage import parse_page

    page = parse_page(read(args.file, args.max_bytes), where=args.file)
    for e in page.entities:
        print(json.dumps({"category": e.category, "id": e.id, "skiptoken": e.skiptoken, **e.raw()}, ensure_ascii=False))
    print(json.dumps({"next_skiptoken": page.next_skiptoken, "resume": page.resume, "entities": len(page.entities)}),
          file=sys.stderr)
    return 0


def cmd_extract_text(args: argparse.Namespace) -> int:
    from motion_ops.parsers.bodytext import extract_publication_text

    print(extract_publication_text(read(args.file, args.max_bytes), where=args.file))
    return 0
