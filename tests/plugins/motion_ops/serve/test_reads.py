"""The read API's queries as the store runs them: what a search costs besides its answer."""
import pytest

from motion_ops.serve import reads
from motion_ops.store.db import sql

BUFFERING = {"WindowAgg", "Sort", "Incremental Sort", "Materialize", "Hash", "Aggregate", "CTE Scan"}  # hold rows


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.parametrize("q", [None, "motie", "stikstof boeren"])
def test_a_text_search_counts_its_matches_without_carrying_their_texts(store, published, q):
    filters, limit = reads.Filters(), 3
    params = {**filters.params(), "limit": limit, "offset": 0, "q": q, "broaden": bool(q), "within": None}
    plan = store.conn.execute("EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) " + sql("api_search_text"), params).fetchone()[0]
    store.conn.rollback()
    wide = [(n["Node Type"], n["Actual Rows"]) for n in _nodes(plan[0]["Plan"]) if n["Node Type"] in BUFFERING
            and n["Actual Rows"] > limit and any("body_text" in o for o in n.get("Output", []))]
    assert wide == [], "nodes that hold every match with its text (only the page's rows should be read whole)"
    rows = reads.search(store, q=q, mode="text", filters=filters, limit=limit, offset=0)
    everything = reads.search(store, q=q, mode="text", filters=filters, limit=10_000, offset=0)
    assert len(rows) == limit < len(everything) and reads.total(rows, 0) == len(everything)
    assert [r["id"] for r in rows] == [r["id"] for r in everything[:limit]]
    assert [r["snippet"] for r in rows] == [r["snippet"] for r in everything[:limit]]
