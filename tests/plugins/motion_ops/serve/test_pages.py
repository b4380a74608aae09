"""The explore pages over HTTP (TestClient): Dutch, server-rendered, escaped."""
import re

import pytest


def test_the_landing_page_has_a_search_form_recent_motions_and_the_biggest_dossiers(client):
    r = client.get("/")
    assert r.status_code == 200 and '<html lang="nl">' in r.text and 'role="search"' in r.text
    assert "Recente moties" in r.text and "Dossiers met de meeste moties" in r.text
    assert len(re.findall(r'href="/motie/[0-9a-f-]{36}"', r.text)) >= 10
    assert "Verwante moties uit versie" in r.text  # the version and model the pages come from


def test_searching_lists_results_with_highlights_and_pages_on(client):
    r = client.get("/", params={"q": "stikstof"})
    assert r.status_code == 200 and "<mark>" in r.text and "Resultaten" in r.text
    nothing = client.get("/", params={"q": "qwertyuiop", "mode": "text"})  # by meaning, the nearest are always found
    assert "Geen moties gevonden" in nothing.text
    many = client.get("/", params={"since": "2020-01-01", "vote": "", "since_": ""})
    nxt = re.search(r'href="([^"]+)" rel="next"', many.text)
    assert nxt and client.get(nxt.group(1).replace("&amp;", "&")).status_code == 200


def test_a_motions_page_shows_requests_votes_related_motions_with_reasons_and_earlier_versions(client, published):
    corpus = published[0]
    r = client.get(f"/motie/{corpus.cases['amended_tvv']}")
    assert r.status_code == 200
    assert "Wat de motie vraagt" in r.text and 'class="verzoek"' in r.text
    assert '<svg id="stemmingsgrafiek"' in r.text and 'class="voor"' in r.text
    assert 'id="verwante-moties"' in r.text and "Verwant omdat:" in r.text and "zelfde dossier" in r.text
    assert 'id="eerdere-versies"' in r.text and corpus.cases["original_tvv"] in r.text
    old = client.get(f"/motie/{corpus.cases['original_tvv']}")
    assert "vervangen door" in old.text and corpus.cases["amended_tvv"] in old.text


def test_a_motions_page_shows_its_siblings_apart_from_its_related_motions(client, store, published):
    corpus = published[0]
    mid = corpus.cases["amended_tvv"]
    siblings = client.get(f"/api/motions/{mid}/siblings", params={"limit": 100}).json()
    r = client.get(f"/motie/{mid}")
    section = r.text[r.text.index('id="zelfde-dossier-kop"'):r.text.index('id="verwant-kop"')]
    assert "Uit hetzelfde debat / dossier" in section
    shown = [i for i in siblings["items"] if f'/motie/{i["id"]}"' in section]
    assert len(shown) == min(siblings["total"], 20) and shown == siblings["items"][:len(shown)]
    if siblings["total"] > 20:
        assert f"20 van {siblings['total']} getoond" in section


def test_a_motions_page_reads_the_motion_once_its_siblings_included(client, published, monkeypatch):
    from motion_ops.store.db import Store

    read, names = Store.read, []
    monkeypatch.setattr(Store, "read", lambda self, name, params=None: names.append(name) or read(self, name, params))
    r = client.get(f"/motie/{published[0].cases['amended_tvv']}")
    assert r.status_code == 200 and 'id="zelfde-dossier-moties"' in r.text
    assert names.count("api_motion") == 1 and names.count("api_motion_siblings") == 1, names


def test_text_from_the_feed_is_escaped(client, store, published):
    mid = published[0].cases["amended_zaak"]
    store.conn.execute("UPDATE motions SET title = '<script>alert(1)</script> Motie' WHERE id = %s", (mid,))
    store.conn.commit()
    page = client.get(f"/motie/{mid}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    found = client.get("/", params={"q": "alert"}).text
    assert "<script>alert" not in found


def test_unknown_motions_and_bad_parameters_get_a_dutch_error_page(client):
    missing = client.get("/motie/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and "Niet gevonden" in missing.text and "Traceback" not in missing.text
    bad = client.get("/", params={"since": "gisteren"})
    assert bad.status_code == 422 and "Ongeldige invoer" in bad.text


def test_mounted_under_a_prefix_api_errors_stay_json_and_pages_link_within_the_prefix(published, pg_uri):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from motion_ops.serve.app import Settings, create_app

    outer = FastAPI()
    outer.mount("/motion-ops", create_app(Settings(dsn=pg_uri, secret=b"mounted")))
    c = TestClient(outer)
    bad = c.get("/motion-ops/api/motions", params={"limit": 1000})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/json")
    assert c.get("/motion-ops/api/motions", params={"cursor": "abc"}).json()["status"] == 400
    assert c.get("/motion-ops/healthz").json()["status"] == "ok"
    page = c.get("/motion-ops/").text
    assert 'href="/motion-ops/motie/' in page and 'action="/motion-ops/"' in page


def test_a_blank_party_filter_is_no_filter(client):
    assert client.get("/api/motions", params={"party": "  "}).status_code == 200


def test_a_nul_byte_in_a_search_field_is_a_dutch_422_page(client):
    for field in ("q", "party", "outcome"):
        r = client.get("/", params={field: "stik\x00stof"})
        assert r.status_code == 422 and "Ongeldige invoer" in r.text and "Traceback" not in r.text, field


def test_an_unknown_seat_count_shows_as_unknown_and_the_totals_say_one_is_missing(client, store, published):
    from tests.plugins.motion_ops.serve.test_api import unknown_seats

    mid = published[0].cases["amended_tvv"]
    party, (voor, tegen) = unknown_seats(store, mid)
    page = client.get(f"/motie/{mid}")
    assert page.status_code == 200
    assert f"<tr><td>{party}</td><td>Voor</td><td>onbekend</td></tr>" in page.text  # the table
    assert f"{party}: zetels onbekend</title>" in page.text and "Voor (zetels onbekend)" in page.text  # the chart
    totals = re.search(r'<span id="stemtotaal">(.*?)</span>', page.text, re.S).group(1)
    assert f"minstens {voor} zetels voor, {tegen} tegen" in totals and f"zetels onbekend van {party}" in totals
    assert f"{party}: 0 zetels voor" not in page.text and f"<td>{party}</td><td>Voor</td><td>0</td>" not in page.text


CREDIT = "Bron: open data van de Tweede Kamer (CC0)"


def test_generated_motions_are_labelled_as_generated_and_not_credited_to_the_tweede_kamer(client, published):
    corpus = published[0]
    page = client.get(f"/motie/{corpus.cases['amended_tvv']}").text
    assert '<span class="label gegenereerd">gegenereerd</span>' in page.split('<h2 id="verwant-kop">')[0]  # the motion
    related = page.split('id="verwante-moties"')[1].split("</ol>")[0]
    assert related.count("<li") == related.count('class="label gegenereerd"') > 0  # every related motion
    assert CREDIT not in page and "gegenereerde voorbeeldmoties" in page
    found = client.get("/", params={"q": "stikstof"}).text
    assert found.count('class="resultaat"') == found.count('class="label gegenereerd"') > 0 and CREDIT not in found
    assert client.get(f"/api/motions/{corpus.cases['amended_tvv']}").json()["generated"] is True


@pytest.fixture
def real(store, clock, pg_uri):
    """The first 40 real motions synced from the stand-in, embedded and published: (corpus, client)."""
    from fastapi.testclient import TestClient

    from devkit.standin.real import RealCorpus
    from devkit.standin.server import StandinServer
    from motion_ops.clients.embedder import Embedder
    from motion_ops.clients.hashing import HashingProvider
    from motion_ops.embeddings import embed_ids, plan
    from motion_ops.publish import publish
    from motion_ops.serve.app import Settings, create_app
    from motion_ops.similarity import compute_version
    from tests.plugins.motion_ops.test_sync import sync

    corpus = RealCorpus(limit=40)
    with StandinServer(corpus) as srv:
        sync(store, srv.url, clock)
    embedder = Embedder([HashingProvider()])
    (ids,), _ = plan(store, model=embedder.model, batch_size=10_000, max_batches=None)
    embed_ids(store, embedder, ids, group_size=64)
    publish(store, compute_version(store, model=embedder.model, top_n=5)["version"])
    with TestClient(create_app(Settings(dsn=pg_uri, secret=b"t", version_ttl=0))) as c:
        yield corpus, c


def test_real_motions_are_credited_to_the_tweede_kamer_and_carry_no_generated_label(real):
    corpus, c = real
    zid = corpus.motions[0]["zaak_id"]
    page = c.get(f"/motie/{zid}").text
    assert CREDIT in page and 'class="label gegenereerd"' not in page and 'id="gegenereerd"' not in page
    assert 'class="verwant"' in page
    found = c.get("/", params={"q": "kabinet"}).text
    assert 'class="resultaat"' in found and CREDIT in found and 'class="label gegenereerd"' not in found
    assert c.get(f"/api/motions/{zid}").json()["generated"] is False


def test_a_real_motions_page_links_to_it_on_tweedekamer_nl(real):
    corpus, c = real
    m = corpus.motions[0]
    page = c.get(f"/motie/{m['zaak_id']}").text
    url = f"https://www.tweedekamer.nl/kamerstukken/moties/detail?id={m['nummer']}&amp;did={m['document_nummer']}"
    assert f'<a id="officieel" href="{url}"' in page


def test_a_motion_whose_feed_names_no_submitters_shows_the_signatories_of_its_text(real):
    corpus, c = real
    m = next(m for m in corpus.motions if not m["submitters"])
    page = c.get(f"/motie/{m['zaak_id']}").text
    assert "<strong>Ingediend door:</strong> " + ", ".join(m["signatories"]) in page
    assert c.get(f"/api/motions/{m['zaak_id']}").json()["submitters"] == m["signatories"]


def test_the_page_searches_by_words_and_meaning_by_default_and_says_how_each_result_was_found(client):
    r = client.get("/", params={"q": "stikstof"})
    assert r.status_code == 200 and '<option value="hybrid" selected>' in r.text
    assert "gevonden op: beide" in r.text and "gevonden op: betekenis" in r.text
    assert 'class="melding" role="note">Zoeken op betekenis gebruikt nu een lexicale methode' in r.text
    text = client.get("/", params={"q": "stikstof", "mode": "text"})
    assert '<option value="text" selected>' in text.text and "gevonden op: tekst" in text.text
    assert "gevonden op: betekenis" not in text.text and "lexicale methode" not in text.text
    meaning = client.get("/", params={"q": "stikstof", "mode": "semantic"})
    assert "gevonden op: betekenis" in meaning.text and "lexicale methode" in meaning.text


def test_error_pages_speak_dutch_while_the_api_keeps_its_english_errors(client):
    missing = client.get("/motie/2099Z99999")
    assert missing.status_code == 404 and "Er is geen motie met nummer of id 2099Z99999" in missing.text
    assert "no motion" not in missing.text
    cursor = client.get("/", params={"q": "stikstof", "cursor": "abc"})
    assert cursor.status_code == 400 and "Deze link naar een volgende pagina klopt niet" in cursor.text
    assert "cursor" not in cursor.text.split("<main")[1].split("</main>")[0]
    date = client.get("/", params={"since": "gisteren"})
    assert date.status_code == 422 and "Vanaf: geen geldige datum (jjjj-mm-dd)" in date.text
    assert "Input should" not in date.text and date.text.count("Vanaf:") == 1
    nul = client.get("/", params={"q": "a\x00b"})
    assert "Zoekwoorden: bevat een ongeldig teken (NUL)" in nul.text and "contains" not in nul.text
    nowhere = client.get("/nergens")
    assert nowhere.status_code == 404 and "Deze pagina bestaat niet" in nowhere.text and "Not Found" not in nowhere.text
    assert client.get("/api/motions/2099Z99999").json()["error"] == "no motion '2099Z99999'"


def test_error_pages_do_not_claim_there_is_no_published_version(client):
    page = client.get("/motie/2099Z99999").text
    assert "Nog geen gepubliceerde versie" not in page


def test_numbers_on_the_pages_have_one_dutch_format_a_decimal_comma(client, published):
    page = client.get(f"/motie/{published[0].cases['amended_tvv']}").text
    scores = re.findall(r"score (\S+?)</span>", page)
    assert scores and all(re.fullmatch(r"-?\d+,\d\d", s) for s in scores), scores
    assert not re.search(r"\d\.\d\d</span>", page)
    assert " 1 zetels" not in page


def test_the_footer_reads_as_sentences_in_amsterdam_time(client, store, published):
    store.conn.execute("UPDATE similarity_versions SET published_at = '2025-07-01 08:56:00+00'")
    store.conn.commit()
    footer = client.get("/").text.split("<footer>")[1]
    assert "gepubliceerd 01-07-2025 10:56)." in footer  # CEST
    assert not re.search(r"\)\.\S", footer) and not re.search(r"\.\s*<span", footer.replace(". <span", ""))


def test_a_motions_requests_are_shown_once_beside_an_extractive_summary(client, published, store):
    from motion_ops.llm.cascade import Cascade
    from motion_ops.run import RunContext
    from motion_ops.summaries.publish import publish as publish_summaries
    from motion_ops.summaries.summarize import summarize_ids

    mid = published[0].cases["amended_tvv"]
    summarize_ids(store, Cascade([]), [mid], ctx=RunContext(dag_id="motion_summaries", run_id="r1", task_id="s"))
    publish_summaries(store, run_id="r1")
    page = client.get(f"/motie/{mid}").text
    ask = "geen bezuinigingen door te voeren op mest"
    article = page.split('<section aria-labelledby="tekst-kop">')[0]  # all but the motion's own text
    assert "Geen samenvatting door een taalmodel" in article and article.count(ask) == 1, article.count(ask)


def test_search_results_say_how_many_there_are_and_page_back_and_forth(client):
    first = client.get("/", params={"since": "2020-01-01"})
    total = int(re.search(r'id="aantal">(\d+) moties gevonden', first.text).group(1))
    assert total > 20 and "Resultaten 1-20 van" in first.text and 'rel="prev"' not in first.text
    nxt = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = client.get(nxt)
    assert f"Resultaten 21-{min(40, total)} van {total}" in second.text
    prev = re.search(r'href="([^"]+)" rel="prev"', second.text).group(1).replace("&amp;", "&")
    back = client.get(prev)
    assert re.findall(r'href="/motie/([^"]+)"', back.text) == re.findall(r'href="/motie/([^"]+)"', first.text)
    assert client.get("/api/motions", params={"since": "2020-01-01"}).json()["total"] == total


def test_names_on_the_pages_keep_dutch_particles_lower_case_after_initials(client, store, published):
    mid = published[0].cases["amended_tvv"]
    store.conn.execute("UPDATE motions SET submitters = ARRAY['L. Van den Berg (VVD)', 'Van der Plas'] WHERE id = %s",
                       (mid,))
    store.conn.commit()
    page = client.get(f"/motie/{mid}").text
    assert "L. van den Berg (VVD), Van der Plas" in page and "L. Van den Berg" not in page


def test_generated_motions_get_no_official_link(client, published):
    page = client.get(f"/motie/{published[0].cases['amended_tvv']}").text
    assert "tweedekamer.nl" not in page


def test_where_a_summary_comes_from_is_said_in_dutch(client, published, store):
    from motion_ops.llm.cascade import Cascade
    from motion_ops.run import RunContext
    from motion_ops.serve.dutch import summary_status
    from motion_ops.summaries.publish import publish as publish_summaries
    from motion_ops.summaries.summarize import summarize_ids

    mid = published[0].cases["amended_tvv"]
    summarize_ids(store, Cascade([]), [mid], ctx=RunContext(dag_id="motion_summaries", run_id="r1", task_id="s"))
    publish_summaries(store, run_id="r1")
    page = client.get(f"/motie/{mid}").text
    origin = re.search(r'<p class="meta" id="samenvatting-herkomst">(.*?)</p>', page, re.S).group(1)
    assert "letterlijk uit de motie" in origin and not re.search(r"\b(extractive|status)\b", origin), origin
    assert summary_status("llm") == "door een taalmodel" and summary_status("fallback").startswith("door het reserve")


def test_a_curated_note_is_shown_as_text_never_as_markup(client, published, store):
    from motion_ops.store import curated

    curated.add(store, published[0].cases["amended_tvv"], '<script>alert(1)</script><b onmouseover="x">vet</b>')
    page = client.get("/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onmouseover=&#34;x&#34;&gt;vet&lt;/b&gt;" in page
    assert "<script>" not in page and "<b " not in page
