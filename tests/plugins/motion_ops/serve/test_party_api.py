"""The read API's party routes against the embedded store: a party, the agreement matrix, where
two parties disagreed, the party match, and every bad input."""
import numpy as np

from motion_ops.numerics.agreement import agreement


def party_votes(store, where="TRUE"):
    return store.conn.execute(
        "SELECT v.motion_id::text, v.party, v.vote FROM motion_votes v JOIN motions m ON m.id = v.motion_id "
        f"WHERE NOT m.deleted AND v.vote IN ('Voor', 'Tegen') AND {where} ORDER BY 1, 2").fetchall()


def contested(store, limit=12):
    return [r[0] for r in store.conn.execute(
        "SELECT m.nummer FROM motions m WHERE NOT m.deleted AND m.nummer IS NOT NULL AND "
        "(SELECT count(DISTINCT vote) FROM motion_votes v WHERE v.motion_id = m.id AND v.vote IN ('Voor', 'Tegen')) = 2 "
        "ORDER BY m.started_on DESC, m.id LIMIT %s", (limit,)).fetchall()]


def test_the_parties_are_those_the_votes_name_with_how_often_each_voted(client, store):
    items = client.get("/api/parties").json()["items"]
    expect = dict(store.conn.execute("SELECT v.party, count(*) FROM motion_votes v JOIN motions m ON m.id = v.motion_id "
                                     "WHERE NOT m.deleted GROUP BY 1").fetchall())
    assert {i["party"]: i["motions"] for i in items} == expect and len(expect) >= 10


def test_a_partys_votes_per_month_winning_side_and_submitted_motions(client, store):
    party = store.conn.execute("SELECT party FROM motion_votes GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    p = client.get(f"/api/parties/{party}").json()
    voor, tegen, won, decided = store.conn.execute(
        "SELECT count(*) FILTER (WHERE vote = 'Voor'), count(*) FILTER (WHERE vote = 'Tegen'), "
        "count(*) FILTER (WHERE (vote = 'Voor' AND lower(outcome) = 'aangenomen') OR (vote = 'Tegen' AND lower(outcome) = 'verworpen')), "
        "count(*) FILTER (WHERE vote IN ('Voor', 'Tegen') AND lower(outcome) IN ('aangenomen', 'verworpen')) "
        "FROM motion_votes v JOIN motions m ON m.id = v.motion_id WHERE NOT m.deleted AND v.party = %s",
        (party,)).fetchone()
    assert sum(r["voor"] for r in p["timeline"]) == voor and sum(r["tegen"] for r in p["timeline"]) == tegen
    assert (p["won"], p["decided"]) == (won, decided) and decided > 0
    assert p["winning_share"] == round(won / decided, 4) and 0 <= p["winning_share"] <= 1
    months = [r["month"] for r in p["timeline"]]
    assert months == sorted(months) and all(m.endswith("-01") for m in months)
    submitted = store.conn.execute("SELECT count(*) FROM motions WHERE NOT deleted AND EXISTS "
                                   "(SELECT 1 FROM unnest(submitters) s WHERE s LIKE %s)", (f"%({party})",)).fetchone()[0]
    assert p["submitted_total"] == submitted > 0 and len(p["submitted"]) == min(submitted, 20)


def test_an_unknown_party_is_a_404_that_names_the_known_ones(client):
    r = client.get("/api/parties/Geen Partij")
    assert r.status_code == 404 and "no party 'Geen Partij'" in r.json()["error"]
    assert client.get("/api/party-agreement/Geen Partij/VVD").status_code == 404


def test_the_agreement_matrix_is_the_chance_corrected_agreement_of_the_selected_votes(client, store):
    r = client.get("/api/party-agreement")
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=30"
    out = r.json()
    rows = party_votes(store)
    motions = sorted({m for m, _, _ in rows})
    names = out["parties"]
    assert out["motions"] == len(motions) and set(names) == {p for _, p, _ in rows}
    votes = np.zeros((len(motions), len(names)), np.int8)
    for m, p, v in rows:
        votes[motions.index(m), names.index(p)] = 1 if v == "Voor" else -1
    expect = agreement(votes)
    for i, row in enumerate(out["rows"]):
        assert row["party"] == names[i]
        for j, cell in enumerate(row["cells"]):
            assert cell["agreement"] == expect.value(i, j) and cell["rests_on"] == expect.rests_on[i, j]
            assert cell["agreement"] == out["rows"][j]["cells"][i]["agreement"]
    assert any(c["agreement"] is not None and c["agreement"] < 0 for r in out["rows"] for c in r["cells"])
    dossier = store.conn.execute("SELECT coalesce(m.dossier, m.publication_dossier) FROM motions m JOIN motion_votes v "
                                 "ON v.motion_id = m.id GROUP BY 1 ORDER BY count(DISTINCT m.id) DESC LIMIT 1").fetchone()[0]
    one = client.get("/api/party-agreement", params={"dossier": dossier}).json()
    assert one["selection"]["dossier"] == dossier
    assert one["motions"] == len({m for m, _, _ in party_votes(store, f"coalesce(m.dossier, m.publication_dossier) = '{dossier}'")})
    assert client.get("/api/party-agreement", params={"since": "2999-01-01"}).json() == {
        "selection": {"q": None, "dossier": None, "since": "2999-01-01", "until": None}, "motions": 0, "limited": False,
        "parties": [],
        "rows": []}
    assert client.get("/api/party-agreement", params={"since": "gisteren"}).status_code == 422


def test_where_two_parties_disagreed_lists_the_motions_one_voted_voor_and_the_other_tegen(client, store):
    out = client.get("/api/party-agreement").json()
    a, b, cell = min(((r["party"], c["party"], c) for r in out["rows"] for c in r["cells"]
                      if c["agreement"] is not None and r["party"] != c["party"]), key=lambda x: x[2]["agreement"])
    d = client.get(f"/api/party-agreement/{a}/{b}", params={"limit": 100}).json()
    assert d["total"] == cell["common"] - cell["same"] > 0 and len(d["items"]) == d["total"]
    assert all({i["vote_a"], i["vote_b"]} == {"Voor", "Tegen"} for i in d["items"])
    dates = [i["started_on"] for i in d["items"]]
    assert dates == sorted(dates, reverse=True)


def test_the_party_match_proposes_contested_motions_from_recent_votes_a_search_or_a_dossier(client, store):
    items = client.get("/api/party-match/motions").json()["items"]
    assert len(items) == 15
    split = {k for (k,) in store.conn.execute(
        "SELECT motion_id::text FROM motion_votes GROUP BY 1 HAVING bool_or(vote = 'Voor') AND bool_or(vote = 'Tegen')")}
    assert all(i["id"] in split for i in items)
    assert len(client.get("/api/party-match/motions", params={"limit": 20}).json()["items"]) == 20
    assert client.get("/api/party-match/motions", params={"limit": 21}).status_code == 422
    found = client.get("/api/party-match/motions", params={"q": "stikstof"}).json()["items"]
    assert found and all(i["id"] in split for i in found)


def test_answering_as_a_party_voted_ranks_that_party_first_with_full_agreement(client, store):
    keys = contested(store)
    party = "VVD"
    votes = dict(store.conn.execute("SELECT m.nummer, v.vote FROM motion_votes v JOIN motions m ON m.id = v.motion_id "
                                    "WHERE v.party = %s AND m.nummer = ANY(%s)", (party, keys)).fetchall())
    m = ",".join(f"{k}:{ {'Voor': 'v', 'Tegen': 't'}.get(votes.get(k), 'o') }" for k in keys)
    r = client.get("/api/party-match", params={"m": m})
    assert r.status_code == 200, r.text
    out = r.json()
    first = out["parties"][0]
    assert first["party"] == party and first["agreement"] == 1.0 and first["same"] == first["common"] == out["answered"]
    assert first["rests_on"] == out["answered"] > 5
    assert [x["answer"] for x in out["motions"]] == [p.split(":")[1] for p in m.split(",")] and out["m"] == m
    ranked = [p["agreement"] for p in out["parties"] if p["agreement"] is not None]
    assert ranked == sorted(ranked, reverse=True)
    # the same answers by id instead of number: the same ranking
    ids = dict(store.conn.execute("SELECT nummer, id::text FROM motions WHERE nummer = ANY(%s)", (keys,)).fetchall())
    by_id = client.get("/api/party-match", params={"m": ",".join(f"{ids[p.split(':')[0]]}:{p.split(':')[1]}"
                                                                 for p in m.split(","))}).json()
    assert by_id["parties"] == out["parties"]


def test_bad_answers_are_422_and_an_unknown_motion_404_each_saying_what_is_wrong(client, store):
    keys = contested(store, 21)
    for m, problem in [("", "no answers"), (f"{keys[0]}:x", "is not <motion>:v"), (f"{keys[0]}", "is not"),
                       (f"{keys[0]}:v,{keys[0]}:t", "answered twice"),
                       (",".join(f"{k}:v" for k in keys), "21 answers: at most 20"), ("a b:v", "is not")]:
        r = client.get("/api/party-match", params={"m": m})
        assert r.status_code == 422 and problem in r.json()["problems"][0]["problem"], (m, r.text)
        assert r.headers["cache-control"] == "no-store"
    r = client.get("/api/party-match", params={"m": f"{keys[0]}:v,2099Z99999:t"})
    assert r.status_code == 404 and "2099Z99999" in r.json()["error"]
    assert client.get("/api/party-match").status_code == 422


def test_the_party_routes_are_in_the_openapi_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/parties", "/api/parties/{party}", "/api/party-agreement", "/api/party-agreement/{a}/{b}",
                 "/api/party-match", "/api/party-match/motions"):
        assert path in paths and paths[path]["get"]["tags"] == ["parties"], path


def test_a_matchs_result_holds_the_readers_answers_so_no_shared_cache_keeps_it(client, store):
    m = ",".join(f"{k}:v" for k in contested(store, 3))
    r = client.get("/api/party-match", params={"m": m})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert client.get("/api/party-match/motions").headers["cache-control"] == "public, max-age=30"  # nobody's answers


def test_an_uppercase_motion_id_in_the_answers_is_the_same_motion(client, store):
    key = store.conn.execute("SELECT m.id::text FROM motions m JOIN motion_votes v ON v.motion_id = m.id "
                             "WHERE NOT m.deleted LIMIT 1").fetchone()[0]
    lower, upper = (client.get("/api/party-match", params={"m": f"{k}:v"}) for k in (key, key.upper()))
    assert lower.status_code == upper.status_code == 200 and upper.json()["parties"] == lower.json()["parties"]


def test_a_party_whose_name_has_a_slash_has_its_page_and_its_disagreements(client, store):
    store.conn.execute("UPDATE motion_votes SET party = 'Krol/vKA' WHERE party = 'DENK'")
    store.conn.commit()
    assert "Krol/vKA" in {i["party"] for i in client.get("/api/parties").json()["items"]}
    r = client.get("/api/parties/Krol/vKA")
    assert r.status_code == 200 and r.json()["party"] == "Krol/vKA" and r.json()["motions"] > 0
    for a, b in (("Krol/vKA", "VVD"), ("VVD", "Krol/vKA")):
        r = client.get(f"/api/party-agreement/{a}/{b}")
        assert r.status_code == 200 and (r.json()["a"], r.json()["b"]) == (a, b) and r.json()["total"] > 0, r.text
    assert client.get("/api/party-agreement/Krol/VVD").status_code == 404
