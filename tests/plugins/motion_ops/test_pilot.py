"""The pilot, with its two adapters (an LLM chain, an embedding model): who needs one, the stratified
sample, the report with its estimate, decisions."""
import html
import json

import pytest

from devkit.standin.chat import ChatServer
from devkit.standin.provider import ProviderServer
from motion_ops import pilot
from motion_ops.clients.embedder import Embedder
from motion_ops.clients.providers import ProviderConfig
from motion_ops.llm.backends import Backend
from motion_ops.llm.cascade import Cascade
from motion_ops.numerics.tokens import CHARS_PER_TOKEN
from motion_ops.summaries.plan import PROMPT_KEY


@pytest.fixture
def chat():
    with ChatServer(model="m") as srv:
        yield srv


def paid_chain(chat):
    return Cascade([Backend("motion_llm", "openai", "m", chat.base_url, "k", price_input_per_1k=0.5,
                            price_output_per_1k=1.5)])


def test_the_extractive_default_needs_no_pilot_and_a_new_chain_does_until_approved(store, chat):
    assert pilot.needed(store, pilot.SummaryChain(Cascade([]), PROMPT_KEY))[0] is False
    c = paid_chain(chat)
    assert pilot.needed(store, pilot.SummaryChain(c, PROMPT_KEY)) == (True, f"openai:m ({PROMPT_KEY}) has not been approved")
    pilot.record(store, chain="openai:m", prompt_key=PROMPT_KEY, decision_=pilot.REJECTED, by="ann")
    assert "rejected by ann" in pilot.needed(store, pilot.SummaryChain(c, PROMPT_KEY))[1]
    pilot.record(store, chain="openai:m", prompt_key=PROMPT_KEY, decision_=pilot.APPROVED, by="bob")
    assert pilot.needed(store, pilot.SummaryChain(c, PROMPT_KEY))[0] is False
    assert pilot.needed(store, pilot.SummaryChain(c, "summary-v99/schema-1"))[0] is True  # another prompt: another pilot
    other = Cascade([Backend("motion_llm", "openai", "m2", chat.base_url, "k")])
    assert pilot.needed(store, pilot.SummaryChain(other, PROMPT_KEY))[0] is True  # another model: another pilot
    pilot.record(store, chain="openai:m", prompt_key=PROMPT_KEY, decision_=pilot.REVOKED, by="cli")
    assert pilot.needed(store, pilot.SummaryChain(c, PROMPT_KEY))[0] is True
    assert [d["decision"] for d in pilot.decisions(store)] == ["revoked"]


def test_the_sample_spreads_over_text_lengths(store, motions):
    lengths = dict(store.conn.execute("SELECT id::text, length(body_text) FROM motions").fetchall())
    picked = pilot.sample(store, motions, 4)
    assert len(set(picked)) == 4
    ranks = sorted(lengths, key=lambda i: (lengths[i], i))
    assert [ranks.index(p) for p in picked] == [5, 15, 25, 35]
    assert sorted(pilot.sample(store, motions[:3], 10)) == sorted(motions[:3])


def test_the_report_has_each_text_beside_its_output_and_the_cost_of_the_backlog(store, motions, chat, tmp_path):
    chat.add("unfaithful", marker="POISON")
    report = pilot.run(store, pilot.SummaryChain(paid_chain(chat), PROMPT_KEY), motions[:8], backlog_ids=motions,
                       left_out=1000 - len(motions))
    assert report["sampled"] == 8 and len(chat.calls) >= 8
    poisoned = [i for i in report["items"] if "POISON" in i["prompt"]]
    assert report["pass_rate"] == (0.875 if poisoned else 1.0)
    assert report["failures_by_class"] == ({"invalid_output": 1} if poisoned else {})
    per = report["per_motion"]
    assert report["estimate"]["cost"] == pytest.approx(per["cost"] * 1000, rel=1e-3) and per["cost"] > 0
    assert report["estimate"]["input_tokens"] == round(per["input_tokens"] * 1000)
    assert store.conn.execute("SELECT count(*) FROM motion_summaries").fetchone()[0] == 0  # nothing stored
    js, page = pilot.write(report, tmp_path, "pilot-run")
    assert json.loads(js.read_text())["estimate"] == report["estimate"]
    text = page.read_text()
    assert "estimated cost" in text and "what the backend got" in text and "<script>" not in text


def test_the_cli_lists_approves_and_revokes(store, capsys):
    from motion_ops.cli import main

    dsn = store.dsn
    assert main(["--dsn", dsn, "approvals", "list"]) == 0 and "no decisions yet" in capsys.readouterr().out
    assert main(["--dsn", dsn, "approvals", "approve", "--chain", "openai:m"]) == 0
    assert pilot.decision(store, "openai:m", PROMPT_KEY)["decision"] == "approved"
    assert main(["--dsn", dsn, "approvals", "revoke", "--chain", "openai:m"]) == 0
    assert main(["--dsn", dsn, "approvals", "list"]) == 0 and capsys.readouterr().out.splitlines()[-1].startswith("revoked")
    assert main(["--dsn", dsn, "approvals", "approve"]) == 1 and "--chain is required" in capsys.readouterr().err


def test_the_report_page_shows_each_motion_as_a_row_and_escapes_what_the_feed_and_the_model_wrote(tmp_path):
    item = {"motion": "id1", "nummer": "2023Z1", "title": "Motie <script>alert(1)</script>", "prompt": "<motie>\nA & B</motie>",
            "output": {"summary_nl": "<b>één</b>"}, "passed": True, "backend": "motion_llm", "model": "m", "input_tokens": 10,
            "output_tokens": 5, "cost": 0.0012345, "latency_ms": 12, "error_class": None, "error": None}
    failed = {**item, "motion": "id2", "nummer": None, "title": None, "output": None, "passed": False,
              "error_class": "invalid_output", "error": "bad <json>", "backend": None, "model": None}
    report = {"chain": "openai:m", "prompt_key": "summary-v2", "sampled": 2, "pass_rate": 0.5,
              "latency_ms": {"p50": 12, "max": 12}, "failures_by_class": {"invalid_output": 1},
              "estimate": {"motions": 100, "input_tokens": 1000, "output_tokens": 500, "cost": 1.5}, "items": [item, failed]}
    text = pilot.write(report, tmp_path, "pilot-x")[1].read_text()
    assert "<script>" not in text and text.count("<tr><td>") == 2
    assert "<h1>Pilot of openai:m (summary-v2)</h1><p>openai:m: 2 motions piloted, 50% passed validation" in text
    assert ("<tr><td>2023Z1<br><small>Motie &lt;script&gt;alert(1)&lt;/script&gt;</small></td>"
            "<td><pre>&lt;motie&gt;\nA &amp; B&lt;/motie&gt;</pre></td>"
            "<td><b>passed</b><pre>{\n ") in text and "&lt;b&gt;één&lt;/b&gt;" in text
    assert '<pre>{\n "summary_nl": "<b>één</b>"\n}</pre></td><td>12 ms<br>10/5 tokens<br>cost 0.00123<br>motion_llm / m</td></tr>' in (
        html.unescape(text))
    assert ("<tr><td>id2<br><small></small></td><td><pre>&lt;motie&gt;\nA &amp; B&lt;/motie&gt;</pre></td>"
            "<td><b>FAILED</b> invalid_output<pre>bad &lt;json&gt;</pre></td>"
            "<td>12 ms<br>10/5 tokens<br>cost 0.00123<br>None / None</td></tr>") in text


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
    assert pilot.needed(store, pilot.EmbeddingModel(ProviderConfig(kind="hashing")))[0] is False
    assert pilot.needed(store, pilot.EmbeddingModel(ProviderConfig(kind="sentence_transformers", model_path="/m")))[0] is False
    config = paid(server)
    assert pilot.EmbeddingModel(config).chain == "openai:m+substance-v1"
    assert pilot.needed(store, pilot.EmbeddingModel(config)) == (True, "openai:m+substance-v1 has not been approved")
    pilot.record(store, chain="openai:m+substance-v1", prompt_key="embeddings", decision_=pilot.APPROVED, by="ann")
    assert pilot.needed(store, pilot.EmbeddingModel(config))[0] is False
    other = ProviderConfig(kind="openai", base_url=server.url, model="m-large")
    assert pilot.needed(store, pilot.EmbeddingModel(other))[0] is True  # another model: another pilot
    pilot.record(store, chain="openai:m+substance-v1", prompt_key="embeddings", decision_=pilot.REVOKED, by="cli")
    assert "revoked by cli" in pilot.needed(store, pilot.EmbeddingModel(config))[1]



def test_the_report_shows_each_text_beside_its_vector_and_the_cost_of_the_backlog(store, motions, server, tmp_path):
    server.add("nan", marker="POISON")  # the provider answers that motion with an invalid vector
    config = paid(server)
    sample = motions[:8]
    report = pilot.run(store, pilot.EmbeddingModel(config, Embedder.from_config(config)), sample, backlog_ids=motions,
                       left_out=60)
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
