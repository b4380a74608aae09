"""One core for batched paid work, used by the embeddings and the summaries: plan batches and cut
them to a :class:`Budget` and to what Airflow maps (:func:`batch_cap`, :func:`mapped_plan`), send a
batch under claims, collect the failed ids (also every id of an instance that left no result),
retry them with half the batch size, count and quarantine what still fails, and refuse a run whose
failure ratio is too high (:class:`FailureRatioExceeded`).

Each pipeline supplies an adapter (:class:`PaidWork`): which ids still need the work, how claimed
ids are sent and stored, and how a motion's failure is charged and counted. A failing request is
split in halves until the bad item is isolated where the request is made (the embedder splits its
own requests; a summary is one motion per request).
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Protocol, Sequence

from motion_ops.run import RunContext
from motion_ops.store import claims
from motion_ops.store.db import Store

log = logging.getLogger(__name__)

XCOM_ID_CAP = 200  # more failed ids than this go to failed_id_sets; XCom carries the ref


class FailureRatioExceeded(Exception):
    """Too many items failed for good: nothing of this run is (re)published."""


@dataclass(frozen=True)
class Budget:
    """A run's limits on paid work (``None``: no limit): items, tokens and cost. ``max_items`` is
    applied when planning (:func:`plan_batches`); :meth:`cut` applies the tokens and cost ahead, to
    estimated tokens (the embeddings: the price per 1k tokens is known); :meth:`reached` to what was
    spent so far, checked before each item (the summaries: known only as they are spent)."""

    max_items: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None

    def reached(self, spent: Mapping[str, Any]) -> str | None:
        """Which limit ``spent`` (``attempted``, ``tokens``, ``cost``) reached, as a phrase, or None."""
        for limit, used, what in ((self.max_items, spent["attempted"], "motions"), (self.max_tokens, spent["tokens"], "tokens"),
                                  (self.max_cost, spent["cost"], "cost")):
            if limit is not None and used >= limit:
                return f"budget of {limit:g} {what} reached ({used:g} spent)"
        return None

    def cut(self, ids: Sequence[str], tokens: Mapping[str, int], price_per_1k: float) -> tuple[list[str], dict[str, Any]]:
        """``ids``, in order, as far as the budget reaches with ``tokens`` per id at ``price_per_1k``
        (the first one always, so one item over the whole budget cannot block every run).
        Returns (kept ids, {estimated_tokens, estimated_cost, budget_left_out, budget_stop})."""
        kept: list[str] = []
        spent, stop = 0, None
        for mid in ids:
            t = tokens.get(mid, 0)
            if self.max_tokens is not None and spent + t > self.max_tokens:
                stop = f"max_tokens {self.max_tokens:,} reached"
            elif self.max_cost is not None and (spent + t) / 1000 * price_per_1k > self.max_cost:
                stop = f"max_cost {self.max_cost} reached"
            if stop and kept:
                break
            if stop:  # an item larger than the whole budget: sent alone, or it would block every run
                stop += " (the first motion alone is over it: embedded by itself)"
            kept.append(mid)
            spent += t
            if stop:
                break
        info = {"estimated_tokens": spent, "estimated_cost": round(spent / 1000 * price_per_1k, 6),
                "budget_left_out": len(ids) - len(kept), "budget_stop": stop}
        if stop:
            log.warning("budget: %s after %d of %d planned motions (~%d tokens); the rest waits for the next run",
                        stop, len(kept), len(ids), spent)
        return kept, info


def in_groups(ids: Sequence[str], size: int) -> list[list[str]]:
    """``ids`` in consecutive groups of ``size`` (the last one shorter)."""
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]


def batch_cap(max_batches: int | None, max_map: int) -> int:
    """How many batches a run plans at most: its ``max_batches`` (None: no limit of its own), never
    more than ``max_map`` (Airflow's ``max_map_length``: a mapped task expands no further)."""
    return min(max_batches or max_map, max_map)


def mapped_plan(batches: Sequence[list[str]], *, dry_run: bool) -> list[dict[str, Any]]:
    """What a mapped task expands over, one instance per batch: ``[{"batch_index", "ids"}]`` (read
    back by :func:`batch_label`); nothing in a dry run."""
    return [] if dry_run else [{"batch_index": i, "ids": ids} for i, ids in enumerate(batches)]


def batch_label(batch: Mapping[str, Any]) -> str:
    """How the UI names the mapped instance of a planned ``batch`` (``{"batch_index", "ids"}``)."""
    return f"batch {batch['batch_index']} ({len(batch['ids'])} motions)"


def halved(batch_size: int) -> int:
    """The retry's batch size: half the plan's, at least one."""
    return max(1, batch_size // 2)


def plan_batches(ids: Sequence[str], *, batch_size: int, max_batches: int | None,
                 max_items: int | None = None) -> tuple[list[list[str]], int]:
    """``ids`` (what still needs the work, in order) in batches of ``batch_size``, at most
    ``max_items`` of them in at most ``max_batches`` batches; returns (batches, ids left for the next run)."""
    planned = list(ids[:max_items]) if max_items is not None else list(ids)
    batches = in_groups(planned, batch_size)
    kept = batches[:max_batches] if max_batches else batches
    left = len(ids) - sum(map(len, kept))
    if left:
        log.warning("planned %d batches; %d motions are left for the next run (max_batches=%s, max_items=%s)",
                    len(kept), left, max_batches, max_items)
    return kept, left


@dataclass
class Processed:
    """What sending some ids did: how many were done, ``failed`` ({id: the adapter's failure}),
    the budget limit that stopped it (``stopped``) with the ids it did not attempt (``left``),
    the ids another run holds (``elsewhere``), tokens in and out, and the done ones by status."""

    done: int = 0
    failed: dict[str, Any] = field(default_factory=dict)
    stopped: str | None = None
    left: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    tokens: list[int] = field(default_factory=lambda: [0, 0])
    by_status: dict[str, int] = field(default_factory=dict)


class PaidWork(Protocol):
    """What a pipeline supplies to the core: one object per run (it holds its client and budget)."""

    claim_stage: str  #: what a motion is claimed for (:mod:`motion_ops.store.claims`)

    def still_to_do(self, store: Store, ids: list[str]) -> list[str]:
        """Those of ``ids`` that still need the work (none done meanwhile, none quarantined), in order."""

    def send(self, store: Store, ids: list[str], *, group_size: int) -> Processed:
        """Do the work for the claimed ``ids`` and store each result in its own transaction."""

    def text_hashes(self, store: Store, ids: list[str]) -> dict[str, str]:
        """{id: the hash of the text that failed}: a failure is charged to that text."""

    def charge(self, cur: Any, mid: str, failure: Any, *, text_hash: str, quarantine_after: int,
               ctx: RunContext, batch_index: int | None) -> Mapping[str, Any]:
        """Count and audit one failure for good; returns its state (``failures``, ``quarantined``,
        and ``first_failed_now`` where the pipeline tells first failures apart)."""

    def failure_share(self, store: Store, *, failed: int, new: int, planned: int) -> tuple[int, int]:
        """(failures that count, out of how many) for the failure ratio."""

    def too_many(self, failed: int, of: int, ratio: float, max_ratio: float) -> str:
        """The message of :class:`FailureRatioExceeded`: what failed, where to look, what to do."""


def process(store: Store, work: PaidWork, ids: list[str], *, run_id: str | None, group_size: int,
            claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> Processed:
    """Claim ``ids`` for run ``run_id`` (for ``claim_ttl``: the task's timeout) and send those it
    holds: a motion another run is working on is left to it (``elsewhere``), not paid for twice."""
    with claims.claimed(store, work.claim_stage, ids, holder=claims.owner(run_id), ttl=claim_ttl) as mine:
        out = work.send(store, mine, group_size=group_size) if mine else Processed()
    held = set(mine)
    return replace(out, elsewhere=[i for i in ids if i not in held])


def failed_for_xcom(store: Store, failed_ids: list[str]) -> dict[str, Any]:
    """``{"failed_ids"}``, or beyond :data:`XCOM_ID_CAP` ids ``{"failed_ref", "failed_count"}`` with
    the ids kept in the store (XCom carries small things)."""
    if len(failed_ids) <= XCOM_ID_CAP:
        return {"failed_ids": failed_ids}
    ref = str(uuid.uuid4())
    store.execute("insert_failed_id_set", {"ref": ref, "ids": failed_ids})
    return {"failed_ref": ref, "failed_count": len(failed_ids)}


def collect_failed_ids(store: Store, plan: list[list[str]], results: list[dict[str, Any]]) -> tuple[list[str], list[int]]:
    """Failed ids from the successful instances' results, plus every id of a batch whose
    instance left no result (it failed). Returns (ids, indexes of failed instances)."""
    ids: set[str] = set()
    for r in results:
        if not r:
            continue
        ids.update(r.get("failed_ids") or [])
        if r.get("failed_ref"):
            row = store.fetch_one("select_failed_id_set", {"ref": r["failed_ref"]})
            ids.update(row["ids"] if row else [])
    missing_instances = lost_instances(plan, results)
    for i in missing_instances:
        ids.update(plan[i])
    return sorted(ids), missing_instances


def lost_instances(plan: list[list[str]], results: list[dict[str, Any]]) -> list[int]:
    """The indexes of the planned batches whose instance left no result (it failed)."""
    done = {r["batch_index"] for r in results if r}
    return [i for i in range(len(plan)) if i not in done]


@dataclass
class Retried:
    """What :func:`retry` did (see there)."""

    planned: list[str]
    retried: int
    recovered: int
    failed: dict[str, Any]
    lost_instances: list[int]
    quarantined: int
    new: int
    batch_size: int
    ratio: float
    stopped: str | None
    elsewhere: int
    tokens: list[int]


def retry(store: Store, work: PaidWork, *, plan: list[list[str]], results: list[dict[str, Any]], batch_size: int,
          max_failure_ratio: float, quarantine_after: int, ctx: RunContext,
          claim_ttl: dt.timedelta = claims.DEFAULT_TTL) -> Retried:
    """Retry every planned id still without a result, ``batch_size // 2`` at a time: the failed ids,
    the ids of failed instances, and any reported as done that is missing now (the whole plan is
    re-checked: a cleared-and-rerun instance may have done some meanwhile, a result may be gone).
    Stops at the budget (what is not retried is not charged: the next run plans it again). Each
    failure for good is charged in one transaction (counted, audited, quarantined after
    ``quarantine_after`` runs). The failed-id lists the instances kept in the store are deleted then
    (with any older than a week).

    :raises FailureRatioExceeded: when the adapter's failure share is above ``max_failure_ratio``.
    """
    lost = lost_instances(plan, results)  # the ids themselves: the whole plan is re-checked below
    batch_of = {mid: i for i, batch in enumerate(plan) for mid in batch}
    half = halved(batch_size)
    planned = sorted({mid for batch in plan for mid in batch})
    still = work.still_to_do(store, planned) if planned else []
    recovered, errors, tokens, stopped, elsewhere = 0, {}, [0, 0], None, 0
    for group in in_groups(still, half):
        out = process(store, work, group, run_id=ctx.run_id, group_size=half, claim_ttl=claim_ttl)
        recovered += out.done
        errors.update(out.failed)
        elsewhere += len(out.elsewhere)
        tokens = [tokens[0] + out.tokens[0], tokens[1] + out.tokens[1]]
        if out.stopped:
            stopped = out.stopped
            break
    hashes = work.text_hashes(store, list(errors)) if errors else {}
    quarantined = new = 0
    with store.transaction() as cur:
        for mid, failure in sorted(errors.items()):
            state = work.charge(cur, mid, failure, text_hash=hashes.get(mid, ""), quarantine_after=quarantine_after,
                                ctx=ctx, batch_index=batch_of.get(mid))
            quarantined += bool(state["quarantined"])
            new += bool(state.get("first_failed_now"))
    store.execute("delete_failed_id_sets", {"refs": [r["failed_ref"] for r in results if r and r.get("failed_ref")]})
    failed, of = work.failure_share(store, failed=len(errors), new=new, planned=len(planned))
    ratio = failed / of if of else 0.0
    log.info("retry: %d retried with batch size %d, %d recovered, %d still failing (ratio %.3f), %d quarantined",
             len(still), half, recovered, len(errors), ratio, quarantined)
    if ratio > max_failure_ratio:
        raise FailureRatioExceeded(work.too_many(failed, of, ratio, max_failure_ratio))
    return Retried(planned=planned, retried=len(still), recovered=recovered, failed=errors, lost_instances=lost,
                   quarantined=quarantined, new=new, batch_size=half, ratio=ratio, stopped=stopped, elsewhere=elsewhere,
                   tokens=tokens)
