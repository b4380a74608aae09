"""What ``status`` prints, read from the store."""
from motion_ops import pilot
from motion_ops.status import status_lines


def test_status_counts_the_motions_and_lists_the_pilots_decisions(store, motions):
    lines = status_lines(store)
    assert lines[0].startswith("motions: 40 live, 0 deleted; 40 with text")
    assert "approvals (pilots): none yet (a paid model or chain is piloted and approved on its first run)" in lines
    assert "summaries: 0 of 40 done, 0 %" in next(x for x in lines if x.startswith("summaries:"))
    pilot.record(store, chain="openai:m+substance-v1", prompt_key="embeddings", decision_=pilot.APPROVED, by="ann")
    line = next(x for x in status_lines(store) if x.startswith("approvals"))
    assert line.startswith("approvals (pilots): approved openai:m+substance-v1 (embeddings) by ann on ")
    assert "current similarity version: none published yet" in status_lines(store)
