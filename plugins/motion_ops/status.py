"""What ``python -m motion_ops status`` prints: motions, vectors per model (and a model switch),
summaries with their progress and spend, approvals, the current version and the last runs. It
only reads."""
from __future__ import annotations

from motion_ops.store.db import Store


def status_lines(store: Store) -> list[str]:
    """What ``status`` prints; reads only (pending migrations are reported, not applied)."""
    pending = store.pending_migrations()
    if pending:  # the queries below read the current schema: report only what is certain
        return [f"store migrations pending: {', '.join(pending)} (apply: python -m motion_ops migrate, or run the "
                "DAG); the rest of the status follows once the store is up to date"]
    s = store.fetch_one("select_status")
    lines = [f"motions: {s['live']} live, {s['deleted']} deleted; {s['with_text']} with text, "
             f"{s['without_text']} without (body fetch failing: {s['body_failing']})",
             f"raw entities: {s['raw_entities']}; vote rows: {s['vote_rows']}; audit events: {s['audit_events']}"]
    for e in store.fetch("select_embedding_status"):
        lines.append(f"embeddings [{e['model']}, dimension {e['dims']}]: {e['current']} current, "
                     f"{s['with_text'] - e['current']} missing, {e['stale']} stale, "
                     f"{e['wrong_dims']} of a wrong dimension, {e['failing']} failing, {e['quarantined']} quarantined")
    for q in store.fetch("select_quarantined"):
        lines.append(f"  quarantined {q['motion_id']} [{q['model']}] after {q['failures']} runs: {(q['last_error'] or '')[:80]}")
    lines.append("checkpoints: " + ", ".join(f"{c['category']}={c['skiptoken']}" for c in store.fetch("select_checkpoints")))
    cur_v = store.fetch_one("select_current_version")
    if cur_v is not None:
        other = [e["model"] for e in store.fetch("select_embedding_status") if e["model"] != cur_v["model"]]
        for model in other:
            from motion_ops.switch import progress

            switching = progress(store, model, min_coverage=0.95)
            if switching:
                lines.append(switching["line"] + " (if the connection names it; `prune-embeddings` ends the way back)")
    sm = store.fetch_one("select_summary_status")
    by = ", ".join(f"{n} {k}" for k, n in sorted(sm["by_status"].items())) or "none"
    share = f"{100 * sm['published'] / s['with_text']:.0f} %" if s["with_text"] else "-"
    lines.append(f"summaries: {sm['published']:,} of {s['with_text']:,} done, {share} (published, of their current text: "
                 f"{by}); {sm['unpublished']} waiting for QA, {sm['quarantined']} quarantined; spend so far "
                 f"{sm['input_tokens']:,} tokens in / {sm['output_tokens']:,} out, cost {sm['cost']:.2f}")
    decisions = store.fetch("select_llm_decisions", {"chain": None, "prompt_key": None})
    lines.append("approvals (pilots): " + ("; ".join(
        (f"PENDING {d['chain']} ({d['prompt_key']}): piloted on {d['decided_at']:%Y-%m-%d}, waits for a decision"
         if d["decision"] == "pending" else
         f"{d['decision']} {d['chain']} ({d['prompt_key']}) by {d['decided_by']} on {d['decided_at']:%Y-%m-%d}")
        for d in decisions) or "none yet (a paid model or chain is piloted and approved on its first run)"))
    cur = store.fetch_one("select_current_version")
    if cur:
        qa = store.fetch("select_qa_report_for_version", {"version": cur["version"]})
        verdict = ("passed" if qa[0]["passed"] else "FAILED") if qa else "no QA report"
        lines.append(f"current similarity version: {cur['version']} ({cur['model']}, {cur['motion_count']} motions, "
                     f"published {cur['published_at']:%Y-%m-%d %H:%M}); QA {verdict}")
    else:
        lines.append("current similarity version: none published yet")
    return lines + recent_runs_lines(store)


SHORT = {"migrate_store": "migrate", "sync_content": "sync", "embed_missing": "embed", "retry_failed": "retry",
         "compute_similarity": "compute", "qa_sample": "qa", "publish_similarity": "publish",
         "plan_summaries": "plan", "summarize": "summarize", "retry_summaries": "retry", "qa_summaries": "qa",
         "publish_summaries": "publish", "pilot_embeddings": "pilot", "approve_embeddings": "approve",
         "pilot_summaries": "pilot", "approve_pilot": "approve", "announce_texts": "announce"}


def recent_runs_lines(store: Store, runs: int = 5) -> list[str]:
    """The last runs side by side: per task its seconds, items and failures (``run_metrics``)."""
    rows = store.fetch("select_recent_run_metrics", {"runs": runs})
    if not rows:
        return ["last runs: none recorded yet"]
    out, by_run = [f"last {runs} runs (task: seconds/items[/failures], mapped instances summed):"], {}
    for r in rows:
        by_run.setdefault((r["started"], r["run_id"]), []).append(r)
    for (started, run_id), tasks in by_run.items():
        cells = [f"{SHORT.get(t['task_id'], t['task_id'])} {t['seconds']:.1f}s/{t['items']}"
                 + (f"/{t['failures']}!" if t["failures"] else "") for t in tasks]
        out.append(f"  {started:%Y-%m-%d %H:%M} {run_id[:40]:<40} " + "  ".join(cells))
    return out
