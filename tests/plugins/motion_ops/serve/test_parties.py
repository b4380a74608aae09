"""The party reads (serve/parties.py) against the embedded store: what they read to answer."""
import pytest

from motion_ops.serve import parties
from motion_ops.serve.errors import NotFound
from motion_ops.store.db import sql


class RecordingStore:
    """The store, recording which named reads a function made."""

    def __init__(self, store):
        self.store, self.reads = store, []

    def read(self, name, params=None):
        self.reads.append((name, params))
        return self.store.read(name, params)


def test_a_partys_page_and_two_partys_disagreements_read_those_parties_not_every_partys_votes(published, store):
    recording = RecordingStore(store)
    assert parties.party(recording, "VVD")["party"] == "VVD"
    assert [p["party"] for name, p in recording.reads if name == "api_parties"] == ["VVD"]  # not every party's
    recording.reads.clear()
    assert parties.disagreements(recording, "VVD", "PVV", parties.Selection())["total"] > 0
    assert "api_parties" not in {name for name, _ in recording.reads}
    with pytest.raises(NotFound, match=r"no party 'Geen Partij' \(parties as the votes name them: .*VVD"):
        parties.party(recording, "Geen Partij")
    for a, b in (("VVD", "Geen Partij"), ("Geen Partij", "VVD")):
        with pytest.raises(NotFound, match="no party 'Geen Partij'"):
            parties.disagreements(recording, a, b, parties.Selection())


def test_a_matchs_motions_are_found_by_their_numbers_and_ids_through_the_indexes_not_by_reading_every_motion(
        published, store):
    nummer, id_ = store.conn.execute("SELECT nummer, id::text FROM motions WHERE nummer IS NOT NULL LIMIT 1").fetchone()
    params = {"keys": [nummer, id_], "ids": [id_], "q": None, "dossier": None, "limit": 2}
    store.conn.execute("SET enable_seqscan = off")  # a tiny table: the plan the planner would pick on a large one
    try:
        plan = "\n".join(r[0] for r in store.conn.execute("EXPLAIN " + sql("api_match_motions"), params))
    finally:
        store.conn.rollback()
    assert "motions_nummer" in plan and "motions_pkey" in plan, plan


def test_the_matrix_rests_on_at_most_the_newest_motions_of_a_selection_and_says_so(published, store):
    everything = parties.agreement_matrix(store, parties.Selection())
    assert everything["motions"] > 10 and everything["limited"] is False
    newest = parties.agreement_matrix(store, parties.Selection(), limit=10)
    assert newest["motions"] == 10 and newest["limited"] is True
    ids = [r["motion_id"] for r in store.read("api_party_votes", {"ids": None, "q": None, "dossier": None, "since": None,
                                                                  "until": None, "limit": 10})]
    expect = [i for (i,) in store.conn.execute(
        "SELECT m.id::text FROM motions m WHERE NOT m.deleted AND EXISTS (SELECT 1 FROM motion_votes v WHERE "
        "v.motion_id = m.id AND v.vote IN ('Voor', 'Tegen')) ORDER BY m.started_on DESC NULLS LAST, m.id LIMIT 10")]
    assert sorted(set(ids)) == sorted(expect)
    assert parties.MATRIX_MAX_MOTIONS >= 1000
