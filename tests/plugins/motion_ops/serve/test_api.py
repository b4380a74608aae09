"""The read API against the embedded store: every endpoint and every bad input."""
import numpy as np
import psycopg
import pytest

from motion_ops.numerics.relatedness import NOTABLE_VOTE_CORRELATION, Weights
from motion_ops.publish import publish
from motion_ops.similarity import compute_version


def live_motion(store, where="TRUE"):
    return store.conn.execute(f"SELECT id::text, nummer FROM motions WHERE NOT deleted AND body_text IS NOT NULL "
                              f"AND {where} ORDER BY id LIMIT 1").fetchone()


def test_health_and_openapi_docs(client, published):
    h = client.get("/healthz").json()
    assert h["status"] == "ok" and h["published_version"] == published[2] and h["model"] == published[1]
    assert "/api/motions/{key}/related" in client.get("/openapi.json").json()["paths"]


def test_text_search_is_dutch_full_text_ranked_with_highlighted_snippets_and_filters(client, store):
    r = client.get("/api/motions", params={"q": "stikstof", "limit": 5}).json()
    assert r["items"] and all("<mark>" in i["snippet"] for i in r["items"])
    assert [i["score"] for i in r["items"]] == sorted((i["score"] for i in r["items"]), reverse=True)
    # Dutch stemming: the plural finds the singular's motions too
    assert client.get("/api/motions", params={"q": "boer"}).json()["items"]
    dossier = r["items"][0]["dossier"]
    only = client.get("/api/motions", params={"q": "stikstof", "dossier": dossier, "limit": 100}).json()["items"]
    assert only and all(i["dossier"] == dossier for i in only)
    voted = client.get("/api/motions", params={"party": "GroenLinks", "vote": "voor", "limit": 100}).json()["items"]
    ids = {i["id"] for i in voted}
    expect = {m for (m,) in store.conn.execute(
        "SELECT DISTINCT v.motion_id::text FROM motion_votes v JOIN motions m ON m.id = v.motion_id "
        "WHERE NOT m.deleted AND v.party IN ('GL-PvdA', 'GL') AND v.vote = 'Voor'").fetchall()}
    assert len(expect) < 100 and ids == expect  # GroenLinks: the GL-PvdA identity, and GL before the merge
    dated = client.get("/api/motions", params={"since": "2025-01-01", "until": "2025-06-01", "limit": 100}).json()["items"]
    assert all("2025-01-01" <= i["started_on"] < "2025-06-01" for i in dated)


def test_paging_with_a_cursor_and_a_foreign_or_tampered_cursor_is_rejected(client):
    first = client.get("/api/motions", params={"limit": 7}).json()
    second = client.get("/api/motions", params={"limit": 7, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == len(second["items"]) == 7
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    foreign = client.get("/api/motions", params={"limit": 7, "q": "zorg", "cursor": first["next_cursor"]})
    assert foreign.status_code == 400 and "another request" in foreign.json()["error"]
    body, mac = first["next_cursor"].split(".")
    tampered = client.get("/api/motions", params={"limit": 7, "cursor": body[:-2] + "AA." + mac})
    assert tampered.status_code == 400 and "Traceback" not in tampered.text
    assert client.get("/api/motions", params={"cursor": "x"}).status_code == 400


def cosine_ranking(store, model, q):
    """(cosine to ``q``, id) of every live motion's vector of ``model``, best first."""
    rows = store.conn.execute("SELECT e.motion_id::text, e.embedding FROM motion_embeddings e JOIN motions m "
                              "ON m.id = e.motion_id AND e.content_hash = m.embed_hash WHERE NOT m.deleted "
                              "AND e.model = %s", (model,)).fetchall()
    vectors = {mid: np.asarray(v.to_list()) for mid, v in rows}
    ranked = sorted(((float(v @ q / np.linalg.norm(v) / np.linalg.norm(q)), mid) for mid, v in vectors.items()),
                    key=lambda t: (-t[0], t[1]))
    return ranked, vectors


def test_semantic_search_ranks_exactly_against_the_query_moved_towards_its_best_matches(client, store, published):
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.serve.reads import FEEDBACK

    r = client.get("/api/motions", params={"q": "windparken en zonnepanelen", "mode": "semantic", "limit": 5}).json()
    assert len(r["items"]) == 5 and FEEDBACK >= 1
    q = np.array(HashingProvider().embed(["windparken en zonnepanelen"])[0])
    first, vectors = cosine_ranking(store, published[1], q)
    moved = q / np.linalg.norm(q) + sum(vectors[mid] for _, mid in first[:FEEDBACK])
    ranked, _ = cosine_ranking(store, published[1], moved)
    assert [i["id"] for i in r["items"]] == [mid for _, mid in ranked[:5]]
    assert [i["score"] for i in r["items"]] == pytest.approx([round(s, 4) for s, _ in ranked[:5]], abs=2e-4)
    assert [mid for _, mid in ranked[:5]] != [mid for _, mid in first[:5]]  # the feedback changed the ranking


def test_without_feedback_semantic_search_ranks_by_cosine_to_the_query_alone(store, published):
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.serve.reads import Filters, search

    q = HashingProvider().embed(["windparken en zonnepanelen"])[0]
    rows = search(store, q="windparken en zonnepanelen", mode="semantic", filters=Filters(), limit=5, offset=0,
                  semantic=(published[1], [3.0 * x for x in q]), feedback=0)  # any length: the query is made unit
    ranked, _ = cosine_ranking(store, published[1], np.array(q))
    assert [row["id"] for row in rows] == [mid for _, mid in ranked[:5]]


def test_a_query_vector_that_is_not_finite_is_refused_before_the_store_is_asked(store, published):
    from motion_ops.serve.reads import Filters, search, unit

    assert unit([3.0, 4.0]) == str([0.6, 0.8]) and unit([0.0, 0.0]) == str([0.0, 0.0])
    with pytest.raises(ValueError, match="not a finite number"):
        search(store, q="x", mode="semantic", filters=Filters(), limit=5, offset=0,
               semantic=(published[1], [float("nan"), 1.0]))


def test_a_motion_has_its_text_votes_with_seats_outcome_and_earlier_versions(client, published):
    corpus = published[0]
    m = client.get(f"/api/motions/{corpus.cases['amended_tvv']}").json()
    assert m["body_text"].startswith("De Kamer,") and m["amended"] and m["summary"] is None
    assert m["votes"] and all({"party", "vote", "seats"} <= set(v) for v in m["votes"]) and m["outcome"]
    assert [e["id"] for e in m["earlier_versions"]] == [corpus.cases["original_tvv"]]
    by_number = client.get(f"/api/motions/{m['nummer']}").json()
    assert by_number["id"] == m["id"]


def test_related_motions_carry_components_a_reason_and_the_version(client, published):
    corpus, model, version = published
    r = client.get(f"/api/motions/{corpus.cases['amended_tvv']}/related", params={"limit": 5}).json()
    assert (r["version"], r["model"], r["on_demand"]) == (version, model, False)
    assert len(r["items"]) == 5 and r["next_cursor"]
    first = r["items"][0]
    assert {"text", "vote_agreement", "vote_correlation", "votes_notable", "parties_voted_both", "same_dossier",
            "same_debate", "shared_submitters"} <= set(first["components"])
    assert first["reason"].endswith(f"text {first['components']['text']:.2f}")
    for item in r["items"]:  # votes are named in the reason exactly when they agree notably beyond chance
        c = item["components"]
        assert c["votes_notable"] == (c["vote_correlation"] is not None and c["vote_correlation"] >= NOTABLE_VOTE_CORRELATION
                                      and c["parties_voted_both"] >= 5)
        assert ("voted alike beyond chance" in item["reason"]) == c["votes_notable"]
    assert corpus.cases["original_tvv"] not in {i["id"] for i in r["items"]}
    original = client.get(f"/api/motions/{corpus.cases['original_tvv']}/related").json()
    assert original["items"] == [] and original["represented_by"] == corpus.cases["amended_tvv"]


def test_siblings_from_the_same_debate_or_dossier_are_listed_apart_with_their_total(client, store, published):
    corpus, model, version = published
    mid = store.conn.execute("SELECT id::text FROM motions WHERE NOT deleted ORDER BY count(*) OVER "
                             "(PARTITION BY coalesce(dossier, publication_dossier)) DESC, id LIMIT 1").fetchone()[0]
    dossier, debate = store.conn.execute("SELECT coalesce(dossier, publication_dossier), debate_id FROM motions "
                                         "WHERE id = %s", (mid,)).fetchone()
    want = {i for (i,) in store.conn.execute(
        "SELECT id::text FROM motions o WHERE id <> %s AND NOT deleted AND (coalesce(dossier, publication_dossier) = %s "
        "OR debate_id = %s) AND id NOT IN (SELECT earlier_id FROM motion_earlier_versions WHERE version = %s)",
        (mid, dossier, debate, version))}
    assert len(want) > 3
    r = client.get(f"/api/motions/{mid}/siblings", params={"limit": 100}).json()
    assert r["motion"]["id"] == mid and r["total"] == len(want) and {i["id"] for i in r["items"]} == want
    amended = client.get(f"/api/motions/{corpus.cases['amended_tvv']}/siblings").json()
    assert amended["total"] and corpus.cases["original_tvv"] not in {i["id"] for i in amended["items"]}  # earlier
    flags = [i["same_debate"] for i in r["items"]]
    assert flags == sorted(flags, reverse=True)  # the same debate first
    assert all(i["same_dossier"] == (i["dossier"] == dossier) for i in r["items"])
    assert all(i["same_dossier"] or i["same_debate"] for i in r["items"])
    two = client.get(f"/api/motions/{mid}/siblings", params={"limit": 2}).json()
    assert [i["id"] for i in two["items"]] == [i["id"] for i in r["items"][:2]] and two["total"] == len(want)
    assert "/api/motions/{key}/siblings" in client.get("/openapi.json").json()["paths"]
    assert client.get("/api/motions/2099Z99999/siblings").status_code == 404
    assert client.get(f"/api/motions/{mid}/siblings", params={"limit": 0}).status_code == 422


def test_page_two_comes_from_the_pinned_version_while_a_new_one_is_published(client, store, published):
    corpus, model, version = published
    mid = corpus.cases["amended_zaak"]
    page1 = client.get(f"/api/motions/{mid}/related", params={"limit": 3}).json()
    newer = compute_version(store, model=model, top_n=8, weights=Weights(text=1, votes=0, dossier=0, debate=0,
                                                                         submitters=0))
    publish(store, newer["version"])
    page2 = client.get(f"/api/motions/{mid}/related", params={"limit": 3, "cursor": page1["next_cursor"]}).json()
    assert page2["version"] == version  # pinned, although no longer the published one
    assert [i["rank"] for i in page2["items"]] == [4, 5, 6]
    pinned = store.conn.execute("SELECT neighbour_id::text FROM motion_neighbours WHERE version = %s AND motion_id = %s "
                                "AND rank BETWEEN 4 AND 6 ORDER BY rank", (version, mid)).fetchall()
    assert [i["id"] for i in page2["items"]] == [p for (p,) in pinned]
    fresh = client.get(f"/api/motions/{mid}/related", params={"limit": 3}).json()
    assert fresh["version"] == newer["version"]
    other = client.get(f"/api/motions/{corpus.cases['amended_tvv']}/related", params={"cursor": page1["next_cursor"]})
    assert other.status_code == 400  # a cursor of another motion's list


def test_a_motion_newer_than_the_published_version_gets_neighbours_on_demand_cached(client, store, published):
    corpus, model, version = published
    mid, _ = live_motion(store)
    store.conn.execute("DELETE FROM motion_neighbours WHERE version = %s AND motion_id = %s", (version, mid))
    store.conn.execute("DELETE FROM motion_neighbour_floors WHERE version = %s AND motion_id = %s", (version, mid))
    store.conn.commit()  # as if synced and embedded after the version was computed
    r = client.get(f"/api/motions/{mid}/related", params={"limit": 4}).json()
    assert r["on_demand"] and len(r["items"]) == 4 and "computed on demand" in r["items"][0]["reason"]
    assert mid not in {i["id"] for i in r["items"]}
    cached = store.conn.execute("SELECT count(*) FROM related_on_demand WHERE version = %s AND motion_id = %s",
                                (version, mid)).fetchone()[0]
    assert cached > 0
    again = client.get(f"/api/motions/{mid}/related", params={"limit": 4}).json()
    assert again["items"] == r["items"]


def test_versions_and_their_diff(client, store, published):
    corpus, model, version = published
    store.conn.execute("UPDATE motions SET deleted = true, updated_at = now() WHERE id = %s", (corpus.motions[0]["id"],))
    store.conn.commit()
    newer = compute_version(store, model=model, top_n=8)["version"]
    versions = client.get("/api/versions").json()["items"]
    assert [v["version"] for v in versions][:2] == [newer, version] and versions[1]["current"]
    d = client.get(f"/api/versions/{version}/diff/{newer}").json()
    assert d["counts"]["removed"] == 1 and d["motions_changed"] >= 1
    gone = next(c for c in d["changes"] if c["change"] == "removed")
    assert gone["id"] == corpus.motions[0]["id"] and gone["lost"]
    assert client.get(f"/api/versions/{version}/diff/999").status_code == 404


def test_bad_input_gets_clear_errors_and_never_a_stack_trace(client):
    cases = [("/api/motions/00000000-0000-4000-8000-000000000000", 404),
             ("/api/motions/2099Z99999/related", 404),
             ("/api/motions/%3Cscript%3E", 422),
             ("/api/motions?limit=101", 422), ("/api/motions?limit=0", 422),
             ("/api/motions?q=" + "a" * 201, 422), ("/api/motions?mode=magic", 422),
             ("/api/motions?vote=misschien", 422), ("/api/motions?since=gisteren", 422),
             ("/api/motions?dossier=1;DROP%20TABLE%20motions", 422),
             ("/api/versions/0/diff/1", 422), ("/api/nothing-here", 404)]
    for path, status in cases:
        r = client.get(path)
        assert r.status_code == status, path
        assert r.headers["content-type"].startswith("application/json") and "Traceback" not in r.text
        assert "error" in r.json()
    q = client.get("/api/motions", params={"q": "'; DROP TABLE motions; --"})
    assert q.status_code == 200 and client.get("/healthz").json()["motions"] > 0  # bound parameters only


def test_the_api_reads_as_the_read_only_role(client, pg_uri):
    with client.app.state.stores.lease() as store:
        assert store.conn.execute("SELECT current_user").fetchone()[0] == "motion_reader"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            store.conn.execute("UPDATE motions SET title = 'x'")


def test_a_cached_answer_is_served_again_by_the_fast_path_and_a_new_version_is_a_new_key(published, pg_uri, store):
    from fastapi.testclient import TestClient

    from motion_ops.serve.app import Settings, create_app

    corpus, model, version = published
    app = create_app(Settings(dsn=pg_uri, secret=b"fast", version_ttl=60))
    mid = corpus.cases["amended_tvv"]
    with TestClient(app) as c:
        first = c.get(f"/api/motions/{mid}/related", params={"limit": 4})
        again = c.get(f"/api/motions/{mid}/related?limit=4")
        assert again.status_code == 200 and again.content == first.content
        assert c.get(f"/api/motions/{mid}/related?limit=0").status_code == 422  # not the fast path's to answer
        other = c.get(f"/api/motions/{mid}/related?limit=4&min_score=0.1")
        assert other.status_code == 200 and other.json()["version"] == version


def test_a_motion_shows_its_published_summary_with_provenance_and_the_extractive_label(client, published, store):
    from motion_ops.llm.cascade import Cascade
    from motion_ops.run import RunContext
    from motion_ops.summaries.publish import publish as publish_summaries
    from motion_ops.summaries.summarize import summarize_ids

    mid = published[0].cases["amended_tvv"]
    ctx = RunContext(dag_id="motion_summaries", run_id="r1", task_id="summarize")
    assert summarize_ids(store, Cascade([]), [mid], ctx=ctx)["summarized"] == 1
    assert client.get(f"/api/motions/{mid}").json()["summary"] is None  # not published before QA
    publish_summaries(store, run_id="r1")
    s = client.get(f"/api/motions/{mid}").json()["summary"]
    assert s["status"] == "extractive" and "not a model" in s["label"]
    assert s["provenance"]["backend"] == "extractive" and s["provenance"]["prompt_version"] == "summary-v2"
    assert s["requests"] and s["requests"][0]["clause"] == 1
    page = client.get(f"/motie/{mid}").text
    assert "In gewone taal" in page and "Geen samenvatting door een taalmodel" in page


def test_nul_bytes_and_numbers_outside_the_stores_range_are_4xx_not_500(client):
    for path in ("/api/motions?q=stik%00stof", "/api/motions?q=a%00&mode=semantic", "/api/motions?party=GL%00",
                 "/api/motions?outcome=%00"):
        r = client.get(path)
        assert r.status_code == 422, path
        assert "NUL" in r.json()["problems"][0]["problem"] and "Traceback" not in r.text
    for path in ("/api/versions/9223372036854775808/diff/1", "/api/versions/1/diff/99999999999999999999",
                 "/api/versions?limit=99999999999999999999"):
        r = client.get(path)
        assert r.status_code == 422 and r.json()["error"] == "invalid parameters", path
    assert client.get("/api/versions/9223372036854775807/diff/1").status_code == 404  # the largest bigint: no such version


def unknown_seats(store, motion_id):
    """Make the largest party that voted voor on ``motion_id`` one whose seat count is unknown (as
    assembly stores a fractieGrootte that is not a number); returns (party, known totals)."""
    party, = store.conn.execute("SELECT party FROM motion_votes WHERE motion_id = %s AND vote = 'Voor' "
                                "ORDER BY seats DESC, party LIMIT 1", (motion_id,)).fetchone()
    store.conn.execute("UPDATE motion_votes SET seats = NULL, voor = NULL WHERE motion_id = %s AND party = %s",
                       (motion_id, party))
    totals = store.conn.execute("SELECT sum(voor), sum(tegen) FROM motion_votes WHERE motion_id = %s", (motion_id,)).fetchone()
    store.conn.commit()
    return party, totals


def test_a_vote_with_an_unknown_seat_count_is_null_and_the_totals_say_a_count_is_missing(client, store, published):
    mid = published[0].cases["amended_tvv"]
    full = client.get(f"/api/motions/{mid}").json()["vote_totals"]
    assert full["complete"] and full["missing"] == {"voor": [], "tegen": []}
    party, (voor, tegen) = unknown_seats(store, mid)
    m = client.get(f"/api/motions/{mid}").json()
    v = next(v for v in m["votes"] if v["party"] == party)
    assert (v["vote"], v["seats"], v["voor"], v["tegen"]) == ("Voor", None, None, 0)
    assert m["votes"][-1]["party"] == party  # unknown sorts after every known count
    assert m["vote_totals"] == {"voor": voor, "tegen": tegen, "complete": False, "missing": {"voor": [party], "tegen": []}}


def test_a_semantic_search_with_the_lexical_model_says_so_in_the_answer_and_on_the_page(client, published):
    r = client.get("/api/motions", params={"q": "minder koeien houden voor het klimaat", "mode": "semantic"}).json()
    assert published[1].startswith("hashing-lexical-") and "lexicale methode" in r["notice"] and published[1] in r["notice"]
    assert client.get("/api/motions", params={"q": "stikstof"}).json()["notice"] is None  # text search: words, as promised
    page = client.get("/", params={"q": "minder koeien houden voor het klimaat", "mode": "semantic"})
    assert page.status_code == 200 and 'class="melding" role="note"' in page.text
    assert "lexicale methode" in page.text and "die vergelijkt woorden, niet" in page.text
    assert "lexicale methode" not in client.get("/", params={"q": "stikstof", "mode": "text"}).text


def search(client, q, mode=None, **params):
    return client.get("/api/motions", params={"q": q, **({"mode": mode} if mode else {}), **params})


def test_text_search_lists_the_motions_with_all_the_words_first_then_those_with_some_of_them(client):
    # a reader's question rarely has all its words in one motion: before, such a search found nothing
    r = search(client, "stikstof qwertyuiop", limit=100).json()
    assert r["items"] and all(i["found_by"] == "text" and "<mark>" in i["snippet"] for i in r["items"])
    both = search(client, "stikstof boer", limit=100).json()["items"]
    alone = {i["id"] for i in search(client, "stikstof", limit=100).json()["items"]}
    first = [i["id"] in alone and i["id"] in {j["id"] for j in search(client, "boer", limit=100).json()["items"]}
             for i in both]
    assert first[0] and False in first and first == sorted(first, reverse=True)  # all words, then some
    # websearch syntax means exactly that: a quoted phrase or an excluded word is not broadened
    assert search(client, '"stikstof qwertyuiop"').json()["items"] == []
    assert all("stikstof" not in (i["snippet"] or "").lower()
               for i in search(client, "boer -stikstof", limit=100).json()["items"])


def test_the_api_searches_text_unless_asked_and_each_result_says_how_it_was_found(client):
    plain = search(client, "stikstof").json()
    assert plain["mode"] == "text" and {i["found_by"] for i in plain["items"]} == {"text"}
    meaning = search(client, "stikstof", "semantic").json()
    assert meaning["mode"] == "semantic" and {i["found_by"] for i in meaning["items"]} == {"semantic"}
    hybrid = search(client, "stikstof", "hybrid", limit=100).json()
    assert hybrid["mode"] == "hybrid" and {"semantic", "both"} <= {i["found_by"] for i in hybrid["items"]} <= {
        "text", "semantic", "both"}
    assert search(client, None).json()["items"][0]["found_by"] is None  # the newest motions: no search


def test_hybrid_search_fuses_the_text_and_the_semantic_ranking_by_reciprocal_rank(client):
    from motion_ops.serve.reads import ALL_WORDS_WEIGHT, RRF_K, SEMANTIC_DEPTH, TEXT_DEPTH, TEXT_WEIGHT

    q = "boeren en stikstof in de regering"
    by_text = search(client, q, "text", limit=TEXT_DEPTH).json()["items"]
    text = [i["id"] for i in by_text]
    meaning = [i["id"] for i in search(client, q, "semantic", limit=SEMANTIC_DEPTH).json()["items"]]
    assert len(text) > 20 and len(meaning) > 40  # (the stand-in corpus has fewer motions than the depths)
    assert by_text[0]["all_words"] and not by_text[-1]["all_words"]
    score = {}
    for rank, i in enumerate(by_text, start=1):
        score[i["id"]] = (ALL_WORDS_WEIGHT if i["all_words"] else TEXT_WEIGHT) / (RRF_K + rank)
    for rank, mid in enumerate(meaning, start=1):
        score[mid] = score.get(mid, 0.0) + 1.0 / (RRF_K + rank)
    expect = sorted(score, key=lambda mid: (-score[mid], mid))[:40]
    first, second = search(client, q, "hybrid", limit=20).json(), None
    second = client.get("/api/motions", params={"q": q, "mode": "hybrid", "limit": 20,
                                                "cursor": first["next_cursor"]}).json()
    got = first["items"] + second["items"]
    assert [i["id"] for i in got] == expect
    assert [i["score"] for i in got] == [round(score[mid], 6) for mid in expect]
    assert [i["found_by"] for i in got] == [
        "both" if mid in text and mid in meaning else "text" if mid in text else "semantic" for mid in expect]


def test_a_search_by_meaning_with_the_lexical_model_says_so_instead_of_pretending(client, published):
    for mode in ("semantic", "hybrid"):
        notice = search(client, "minder koeien houden voor het klimaat", mode).json()["notice"]
        assert notice.startswith("Zoeken op betekenis gebruikt nu een lexicale methode") and published[1] in notice
    assert search(client, "minder koeien houden voor het klimaat", "text").json()["notice"] is None


def test_a_hybrid_search_whose_query_cannot_be_embedded_answers_by_text_and_says_so(published, pg_uri):
    from fastapi.testclient import TestClient

    from motion_ops.clients.providers import ProviderConfig
    from motion_ops.serve.app import Settings, create_app
    from motion_ops.serve.query_embedding import QueryEmbedder

    other = QueryEmbedder(ProviderConfig(dimensions=64))  # not the published version's model
    with TestClient(create_app(Settings(dsn=pg_uri, secret=b"s", embed=other, version_ttl=0))) as c:
        assert search(c, "stikstof", "semantic").status_code == 409
        r = search(c, "stikstof", "hybrid")
        assert r.status_code == 200 and r.json()["items"] and {i["found_by"] for i in r.json()["items"]} == {"text"}
        assert "Zoeken op betekenis kan nu niet" in r.json()["notice"] and "alleen op tekst" in r.json()["notice"]
        page = c.get("/", params={"q": "stikstof"})
        assert page.status_code == 200 and "alleen op tekst" in page.text and "gevonden op: tekst" in page.text
