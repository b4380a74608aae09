"""The commands on the store's state: ``status``, ``related``, ``audit``, ``qa-report``."""
from __future__ import annotations

import argparse
import json
import sys

from motion_ops.cli.args import store as store_of


def cmd_status(args: argparse.Namespace) -> int:
    from motion_ops.status import status_lines

    with store_of(args) as store:
        print("\n".join(status_lines(store)))
    return 0


def cmd_qa_report(args: argparse.Namespace) -> int:
    from motion_ops.qa import format_table

    with store_of(args) as store:
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
    with store_of(args) as store:
        rows = store.fetch("select_recent_audit", {"action": args.action, "since": None, "limit": args.limit})
    for r in rows:
        where = f"{r['dag_id']}/{r['run_id']}/{r['task_id']}" + (f"[{r['map_index']}]" if r["map_index"] is not None else "")
        print(f"{r['at']:%Y-%m-%d %H:%M:%S} {r['action']:<20} {r['target']}  {where}  {json.dumps(r['metadata'])[:200]}")
    return 0


def cmd_related(args: argparse.Namespace) -> int:
    with store_of(args) as store:
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
