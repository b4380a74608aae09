"""The real motions of devkit/data served by the stand-in and synced by the real sync stage."""
import pytest

from devkit.standin.real import RealCorpus, load
from tests.plugins.motion_ops.test_sync import sync


@pytest.fixture(scope="module")
def real_corpus():
    return RealCorpus()


def test_the_real_corpus_has_every_record_and_no_generated_mark(real_corpus):
    assert len(real_corpus.motions) == len(load()) == 638
    zaken = [e.entity for e in real_corpus.log if e.entity.category == "Zaak"]
    assert len(zaken) == 638 and not any(dict(z.fields).get("gegenereerd") for z in zaken)
    assert len(real_corpus.expected_votes) == 28 and len(real_corpus.replaces) == 53


def test_every_real_motion_syncs_with_its_text_votes_and_amended_motion_link(store, clock, real_corpus):
    from devkit.standin.server import StandinServer

    with StandinServer(real_corpus) as srv:
        first = sync(store, srv.url, clock)
    assert first["assembly"]["written"] == 638 and first["assembly"]["failed"] == 0
    rows = {r[0]: r[1:] for r in store.conn.execute(
        "SELECT id::text, nummer, dossier, kamerstuk, body_text, replaces_ids::text[], replaces_kamerstuk, amended, "
        "body_source, deleted, submitters FROM motions").fetchall()}
    assert len(rows) == 638
    by_id = {m["zaak_id"]: m for m in real_corpus.motions}
    for zid, (nummer, dossier, kamerstuk, body, replaces, replaces_kst, amended, source, deleted, submitters) in rows.items():
        m = by_id[zid]
        assert (nummer, dossier, f"kst-{kamerstuk}", deleted) == (m["nummer"], m["dossier"], m["kamerstuk"], False)
        assert body == real_corpus.expected_texts[zid] and source == "publication"
        assert body.startswith(m["text"].split("\n")[0])
        assert amended == m["gewijzigd"]
        assert all("None" not in s for s in submitters)
        if zid in real_corpus.replaces:
            original = by_id[real_corpus.replaces[zid]]
            assert replaces == [original["zaak_id"]] and f"kst-{replaces_kst}" == original["kamerstuk"]
        else:
            assert replaces == [] and replaces_kst is None
    votes = {}
    for zid, party, vote, seats in store.conn.execute("SELECT motion_id::text, party, vote, seats FROM motion_votes"):
        votes.setdefault(zid, {})[party] = (vote, seats)
    assert set(votes) == set(real_corpus.expected_votes)
    for zid, expected in real_corpus.expected_votes.items():
        recorded = by_id[zid]["votes"]["parties"]
        assert sorted((v, s) for v, s in votes[zid].values()) == sorted((p["vote"], p["seats"]) for p in recorded.values())
        assert len(votes[zid]) == len(expected) == 15
    outcomes = dict(store.conn.execute("SELECT id::text, outcome FROM motions WHERE outcome IS NOT NULL").fetchall())
    assert outcomes == {zid: by_id[zid]["votes"]["besluit_soort"].split("- ")[1] for zid in real_corpus.expected_votes}
    second = sync(store, srv.url, clock)
    assert second["assembly"]["written"] == 0 and second["bodies"]["fetched"] == 0
