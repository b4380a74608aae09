"""The pilot of a new embedding model and the embeddings' token and cost budgets."""
import json

import pytest

from devkit.standin.provider import ProviderServer
from motion_ops import embedding_pilot, pilot
from motion_ops.clients.embedder import Embedder
from motion_ops.clients.providers import ProviderConfig
from motion_ops.embeddings import EmbeddingBudget, estimated_tokens, within_budget
from motion_ops.numerics.tokens import CHARS_PER_TOKEN


@pytest.fixture
def server():
    with ProviderServer(model="m", dims=32) as srv:
        yield srv


def paid(server, **kw):
    return ProviderConfig(kind="openai", base_url=server.url, model="m", price_per_1k=0.02, retry_attempts=1, **kw)


def chars(store, ids):
    return dict(store.conn.execute(
        "SELECT id::text, length(body_text) + length(coalesce(title, '')) + length(coalesce(dossier_title, '')) "
        "FROM motions WHERE id = ANY(%s::uuid[])", (ids,)).fetchall())


def test_the_embedded_defaults_need_no_pilot_and_a_paid_model_does_until_approved(store, server):
    assert embedding_pilot.needed(store, ProviderConfig(kind="hashing"))[0] is False
    assert embedding_pilot.needed(store, ProviderConfig(kind="sentence_transformers", model_path="/m"))[0] is False
    config = paid(server)
    assert embedding_pilot.chain(config) == "openai:m+substance-v1"
    assert embedding_pilot.needed(store, config) == (True, "openai:m+substance-v1 has not been approved")
    pilot.record(store, chain="openai:m+substance-v1", prompt_key="embeddings", decision_=pilot.APPROVED, by="ann")
    assert embedding_pilot.needed(store, config)[0] is False
    other = ProviderConfig(kind="openai", base_url=server.url, model="m-large")
    assert embedding_pilot.needed(store, other)[0] is True  # another model: another pilot
    pilot.record(store, chain="openai:m+substance-v1", prompt_key="embeddings", decision_=pilot.REVOKED, by="cli")
    assert "revoked by cli" in embedding_pilot.needed(store, config)[1]


def test_the_report_shows_each_text_beside_its_vector_and_the_cost_of_the_backlog(store, motions, server, tmp_path):
    server.add("nan", marker="POISON")  # the provider answers that motion with an invalid vector
    config = paid(server)
    sample = motions[:8]
    report = embedding_pilot.run(store, Embedder.from_config(config), config, sample, backlog_ids=motions, left_out=60)
    assert report["sampled"] == 8 and len(server.calls) >= 8  # one request per sampled motion
    poisoned = [i for i in report["items"] if "POISON" in i["prompt"]]
    assert report["pass_rate"] == (0.875 if poisoned else 1.0)
    assert report["failures_by_class"] == ({"invalid_output": 1} if poisoned else {})
    good = [i for i in report["items"] if i["passed"]]
    assert all(i["output"]["dimensions"] == 32 and i["output"]["closest_in_sample"]["cosine"] <= 1.0001 for i in good)
    # the backlog's estimate is its own characters (4 a token), plus the average for the 60 left for later
    size = chars(store, motions)
    planned = sum(-(-c // CHARS_PER_TOKEN) for c in size.values())
    assert report["estimate"]["motions"] == 100
    assert report["estimate"]["input_tokens"] == round(planned + planned / len(motions) * 60)
    assert report["estimate"]["cost"] == pytest.approx(report["estimate"]["input_tokens"] / 1000 * 0.02, abs=1e-4)
    assert store.conn.execute("SELECT count(*) FROM motion_embeddings").fetchone()[0] == 0  # nothing stored
    store.conn.commit()
    js, page = pilot.write(report, tmp_path, "pilot-embeddings")
    assert json.loads(js.read_text())["chain"] == "openai:m+substance-v1"
    assert "closest_in_sample" in page.read_text() and "estimated cost" in page.read_text()


def test_a_token_budget_plans_as_far_as_it_reaches_and_leaves_the_rest(store, motions):
    tokens = estimated_tokens(store, motions, 8000)
    store.conn.commit()
    assert set(tokens) == set(motions) and all(t > 0 for t in tokens.values())
    batches = [motions[i:i + 16] for i in range(0, 40, 16)]
    unlimited, info = within_budget(store, batches, EmbeddingBudget(), 16)
    assert unlimited == batches and info["budget_stop"] is None and info["estimated_tokens"] == sum(tokens.values())
    limit = sum(tokens[m] for m in motions[:11])
    kept, info = within_budget(store, batches, EmbeddingBudget(max_tokens=limit), 4)
    assert [i for b in kept for i in b] == motions[:11] and [len(b) for b in kept] == [4, 4, 3]
    assert info == {"estimated_tokens": limit, "estimated_cost": 0.0, "budget_left_out": 29,
                    "budget_stop": f"max_tokens {limit:,} reached"}
    price = 0.5  # per 1k tokens: what 5 motions cost
    cost = sum(tokens[m] for m in motions[:5]) / 1000 * price
    kept, info = within_budget(store, batches, EmbeddingBudget(max_cost=cost + 1e-9, price_per_1k=price), 16)
    assert [i for b in kept for i in b] == motions[:5] and info["budget_stop"].startswith("max_cost")


def test_a_motion_larger_than_the_whole_budget_is_embedded_alone_instead_of_blocking_every_run(store, motions):
    tokens = estimated_tokens(store, motions, 8000)
    store.conn.commit()
    kept, info = within_budget(store, [motions], EmbeddingBudget(max_tokens=tokens[motions[0]] - 1), 16)
    assert kept == [[motions[0]]] and info["budget_left_out"] == 39
    assert info["budget_stop"].endswith("(the first motion alone is over it: embedded by itself)")


def test_a_store_transaction_after_a_bare_read_commits_and_refuses_after_bare_writes(store, pg_uri):
    import psycopg

    store.conn.execute("SELECT 1")  # a bare read opens an implicit transaction and leaves it open
    from motion_ops import pilot

    pilot.record(store, chain="c", prompt_key="p", decision_=pilot.APPROVED, by="ann")
    with psycopg.connect(pg_uri) as other:  # committed: another session sees it
        assert other.execute("SELECT decided_by FROM llm_approvals WHERE chain = 'c'").fetchone() == ("ann",)
    store.conn.execute("DELETE FROM llm_approvals")  # a bare write left uncommitted
    with pytest.raises(RuntimeError, match="uncommitted writes"):
        pilot.record(store, chain="c", prompt_key="p", decision_=pilot.REVOKED, by="bob")
    store.conn.rollback()
    assert pilot.decision(store, "c", "p")["decided_by"] == "ann"
    with store.transaction() as cur:  # nested blocks of its own are fine
        cur.execute("SELECT 1")
        assert store.fetch_one("select_llm_decisions", {"chain": "c", "prompt_key": "p"})["decision"] == "approved"
