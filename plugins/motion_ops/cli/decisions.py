"""The commands that decide: ``approvals``, ``release-quarantine``, ``prune-embeddings``."""
from __future__ import annotations

import argparse
import os

from motion_ops.cli.args import store as store_of


def cmd_release(args: argparse.Namespace) -> int:
    with store_of(args) as store:
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

    with store_of(args) as store:
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


def cmd_prune_embeddings(args: argparse.Namespace) -> int:
    from motion_ops.switch import prune

    with store_of(args) as store:
        gone = prune(store, args.keep)
    print(f"pruned {sum(gone.values())} vectors of {', '.join(gone) or 'no other model'}; kept {args.keep}")
    return 0
