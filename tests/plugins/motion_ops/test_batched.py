"""The core of batched paid work: planning, the budget, claims, the halving retry, charging
failures and the failure ratio, driven through a recording adapter against the embedded Postgres."""
import pytest

from motion_ops import batched
from motion_ops.batched import Budget, FailureRatioExceeded, Processed, plan_batches
from motion_ops.run import RunContext
from motion_ops.store import claims

CTX = RunContext(dag_id="motion_enrichment", run_id="run-1", task_id="retry_failed")


class Recording:
    """An adapter that does the work in memory: ``bad`` ids fail, ``stop_after`` sends stop at a budget."""

    claim_stage = "test"

    def __init__(self, done=(), bad=(), stop_after=None, known=()):
        self.done, self.bad, self.stop_after, self.known = set(done), set(bad), stop_after, set(known)
        self.sent: list[list[str]] = []
        self.charged: list[tuple[str, str, int | None]] = []

    def still_to_do(self, store, ids):
        return [i for i in ids if i not in self.done]

    def send(self, store, ids, *, group_size):
        self.sent.append(list(ids))
        out = Processed(tokens=[len(ids), 1])
        for i in ids:
            if i in self.bad:
                out.failed[i] = f"{i} is bad"
            else:
                self.done.add(i)
                out.done += 1
        if self.stop_after is not None and len(self.sent) >= self.stop_after:
            out.stopped = "budget of 1 tokens reached (2 spent)"
        return out

    def text_hashes(self, store, ids):
        return {i: f"hash-{i}" for i in ids}

    def charge(self, cur, mid, failure, *, text_hash, quarantine_after, ctx, batch_index):
        cur.execute("SELECT 1")  # inside the core's one transaction
        self.charged.append((mid, text_hash, batch_index))
        return {"failures": 1, "quarantined": quarantine_after <= 1, "first_failed_now": mid not in self.known}

    def failure_share(self, store, *, failed, new, planned):
        return new, planned

    def too_many(self, failed, of, ratio, max_ratio):
        return f"{failed} of {of} failed ({ratio:.3f} > {max_ratio})"


def test_plan_batches_cuts_to_max_items_and_max_batches_and_counts_what_is_left():
    ids = [f"m{i}" for i in range(10)]
    assert plan_batches(ids, batch_size=4, max_batches=None) == ([ids[:4], ids[4:8], ids[8:]], 0)
    assert plan_batches(ids, batch_size=4, max_batches=2) == ([ids[:4], ids[4:8]], 2)
    assert plan_batches(ids, batch_size=4, max_batches=2, max_items=5) == ([ids[:4], ids[4:5]], 5)
    assert plan_batches([], batch_size=4, max_batches=None) == ([], 0)


def test_a_run_plans_at_most_its_max_batches_and_never_more_than_airflow_maps_and_a_dry_run_maps_nothing():
    assert (batched.batch_cap(None, 1024), batched.batch_cap(3, 1024), batched.batch_cap(5000, 1024)) == (1024, 3, 1024)
    batches = [["a", "b"], ["c"]]
    plan = batched.mapped_plan(batches, dry_run=False)
    assert plan == [{"batch_index": 0, "ids": ["a", "b"]}, {"batch_index": 1, "ids": ["c"]}]
    assert [batched.batch_label(b) for b in plan] == ["batch 0 (2 motions)", "batch 1 (1 motions)"]
    assert batched.mapped_plan(batches, dry_run=True) == []


def test_the_budget_cuts_ahead_by_tokens_and_cost_and_is_reached_by_what_was_spent():
    ids, tokens = ["a", "b", "c"], {"a": 100, "b": 100, "c": 100}
    assert Budget().cut(ids, tokens, 1.0)[0] == ids
    kept, info = Budget(max_tokens=250).cut(ids, tokens, 0.5)
    assert kept == ["a", "b"] and info == {"estimated_tokens": 200, "estimated_cost": 0.1, "budget_left_out": 1,
                                           "budget_stop": "max_tokens 250 reached"}
    assert Budget(max_cost=0.1).cut(ids, tokens, 1.0)[0] == ["a"]
    assert Budget(max_tokens=10).cut(ids, tokens, 0.0)[0] == ["a"]  # the first one always
    spent = {"attempted": 3, "tokens": 50, "cost": 0.5}
    assert Budget(max_items=3).reached(spent) == "budget of 3 motions reached (3 spent)"
    assert Budget(max_items=4, max_tokens=60, max_cost=1).reached(spent) is None


def test_the_retry_halves_the_batch_size_and_sends_only_what_is_still_to_do(store, motions):
    a, b, c, d, e, f, g, h = sorted(motions[:8])
    work = Recording(done={a, c, e, f})
    out = batched.retry(store, work, plan=[[a, b, c, d], [e, f, g, h]], results=[{"batch_index": 0, "failed_ids": [b, d]}],
                        batch_size=4, max_failure_ratio=0.5, quarantine_after=3, ctx=CTX)
    assert work.sent == [[b, d], [g, h]] and out.batch_size == 2
    assert out.retried == 4 and out.recovered == 4 and out.failed == {} and out.lost_instances == [1]
    assert out.tokens == [4, 2] and out.stopped is None


def test_the_retry_charges_what_still_fails_once_and_fails_above_the_ratio(store, motions):
    a, b, c, d = plan = sorted(motions[:4])
    work = Recording(bad={b}, known={b})  # b failed in earlier runs: not a first failure
    out = batched.retry(store, work, plan=[plan], results=[], batch_size=2, max_failure_ratio=0.0, quarantine_after=1,
                        ctx=CTX)
    assert work.charged == [(b, f"hash-{b}", 0)] and out.quarantined == 1 and out.new == 0 and out.ratio == 0.0
    with pytest.raises(FailureRatioExceeded, match="1 of 4 failed"):
        batched.retry(store, Recording(bad={c}), plan=[plan], results=[], batch_size=2, max_failure_ratio=0.2,
                      quarantine_after=5, ctx=CTX)


def test_the_retry_stops_at_the_budget_and_leaves_the_rest_uncharged(store, motions):
    a, b, c, d = plan = sorted(motions[:4])
    work = Recording(bad={a}, stop_after=1)
    out = batched.retry(store, work, plan=[plan], results=[], batch_size=4, max_failure_ratio=1.0,
                        quarantine_after=5, ctx=CTX)
    assert work.sent == [[a, b]] and out.stopped.startswith("budget of") and out.recovered == 1
    assert [charged[0] for charged in work.charged] == [a]


def test_ids_another_run_holds_are_left_to_it_and_claims_are_released(store, motions):
    assert claims.claim(store, "test", motions[:1], holder="run-other") == motions[:1]
    work = Recording()
    out = batched.process(store, work, motions[:3], run_id="run-1", group_size=3)
    assert work.sent == [motions[1:3]] and out.elsewhere == motions[:1] and out.done == 2
    assert store.conn.execute("SELECT count(*) FROM work_claims WHERE run_id = 'run-1'").fetchone()[0] == 0


def test_failed_ids_beyond_the_cap_go_to_the_store_and_are_collected_from_it(store, motions, monkeypatch):
    monkeypatch.setattr(batched, "XCOM_ID_CAP", 2)
    x, y, z, p, q = sorted(motions[:5])
    assert batched.failed_for_xcom(store, [x, y]) == {"failed_ids": [x, y]}
    out = batched.failed_for_xcom(store, [x, y, z])
    assert out["failed_count"] == 3 and "failed_ids" not in out
    ids, lost = batched.collect_failed_ids(store, [[x], [p, q]], [{"batch_index": 0, **out}])
    assert ids == [x, y, z, p, q] and lost == [1]
