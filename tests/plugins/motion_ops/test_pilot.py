"""The pilot: who needs one, the stratified sample, the report with its estimate, decisions."""
import json

import pytest

from devkit.standin.chat import ChatServer
from motion_ops import pilot
from motion_ops.llm.backends import Backend
from motion_ops.llm.cascade import Cascade
from motion_ops.summaries import PROMPT_KEY


@pytest.fixture
def chat():
    with ChatServer(model="m") as srv:
        yield srv


def paid(chat):
    return Cascade([Backend("motion_llm", "openai", "m", chat.base_url, "k", price_input_per_1k=0.5,
                            price_output_per_1k=1.5)])


def test_the_extractive_default_needs_no_pilot_and_a_new_chain_does_until_approved(store, chat):
    assert pilot.needed(store, Cascade([]), PROMPT_KEY)[0] is False
    c = paid(chat)
    assert pilot.needed(store, c, PROMPT_KEY) == (True, f"openai:m ({PROMPT_KEY}) has not been approved")
    pilot.record(store, chain="openai:m", prompt_key=PROMPT_KEY, decision_=pilot.REJECTED, by="ann")
    assert "rejected by ann" in pilot.needed(store, c, PROMPT_KEY)[1]
    pilot.record(store, chain="openai:m", prompt_key=PROMPT_KEY, decision_=pilot.APPROVED, by="bob")
    assert pilot.needed(store, c, PROMPT_KEY)[0] is False
    assert pilot.needed(store, c, "summary-v99/schema-1")[0] is True  # another prompt: another pilot
    other = Cascade([Backend("motion_llm", "openai", "m2", chat.base_url, "k")])
    assert pilot.needed(store, other, PROMPT_KEY)[0] is True  # another model: another pilot
    pilot.record(store, chain="openai:m", prompt_key=PROMPT_KEY, decision_=pilot.REVOKED, by="cli")
    assert pilot.needed(store, c, PROMPT_KEY)[0] is True
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
    report = pilot.run(store, paid(chat), motions[:8], backlog=1000, prompt_key=PROMPT_KEY)
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
