"""The party pages without a browser: Dutch, linked from the landing and motion pages, the match's
form redirected to its shareable URL, bad input a Dutch error page."""
from urllib.parse import parse_qs, urlparse


def test_the_landing_page_and_a_motions_page_link_to_the_parties_and_the_party_match(client, store):
    landing = client.get("/").text
    assert 'href="/partijen"' in landing and 'href="/partijmatch"' in landing
    key, dossier = store.conn.execute("SELECT m.nummer, coalesce(m.dossier, m.publication_dossier) FROM motions m "
                                      "JOIN motion_votes v ON v.motion_id = m.id WHERE NOT m.deleted LIMIT 1").fetchone()
    page = client.get(f"/motie/{key}").text
    assert 'id="partij-links"' in page and f'href="/partijmatch?dossier={dossier}"' in page
    assert 'href="/partij/VVD"' in page


def test_the_matchs_form_answers_become_the_shareable_url(client, store):
    page = client.get("/partijmatch").text
    fields = sorted({part.split('"')[0] for part in page.split('name="a.')[1:]})
    assert len(fields) == 15
    query = [(f"a.{k}", "v" if i % 2 else "t") for i, k in enumerate(fields)]
    r = client.get("/partijmatch/antwoorden", params=query, follow_redirects=False)
    assert r.status_code == 303
    url = urlparse(r.headers["location"])
    assert url.path == "/partijmatch" and url.fragment == "uitslag"
    assert parse_qs(url.query)["m"] == [",".join(f"{k}:{a}" for (k, a) in ((f[2:], a) for f, a in query))]
    result = client.get(f"{url.path}?{url.query}")
    assert result.status_code == 200 and 'id="ranglijst"' in result.text and "rust" in result.text


def test_bad_answers_and_an_unknown_party_get_a_dutch_error_page(client):
    r = client.get("/partijmatch", params={"m": "2024Z00001:ja"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html") and "<html lang=\"nl\"" in r.text
    r = client.get("/partij/Geen Partij")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert client.get("/partijmatch/antwoorden").status_code == 422


def test_mounted_under_a_prefix_the_match_redirects_and_shares_under_it(published, pg_uri, store):
    from fastapi.testclient import TestClient

    from motion_ops.serve.app import Settings, create_app

    key = store.conn.execute("SELECT m.nummer FROM motions m JOIN motion_votes v ON v.motion_id = m.id "
                             "WHERE NOT m.deleted LIMIT 1").fetchone()[0]
    app = create_app(Settings(dsn=pg_uri, secret=b"t", version_ttl=0), root_path="/motion-ops")
    with TestClient(app, root_path="/motion-ops") as c:
        r = c.get(f"/motion-ops/partijmatch/antwoorden?a.{key}=v", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/motion-ops/partijmatch?m={key}%3Av#uitslag"
        page = c.get(f"/motion-ops/partijmatch?m={key}:v").text
        assert f'id="deel-link" href="/motion-ops/partijmatch?m={key}%3Av"' in page


def test_a_matchs_result_page_is_never_kept_by_a_shared_cache(client, store):
    key = store.conn.execute("SELECT m.nummer FROM motions m JOIN motion_votes v ON v.motion_id = m.id "
                             "WHERE NOT m.deleted LIMIT 1").fetchone()[0]
    r = client.get("/partijmatch", params={"m": f"{key}:t"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert client.get("/partijmatch").headers["cache-control"] == "public, max-age=30"  # the questions only


def test_a_party_whose_name_has_a_slash_is_linked_to_its_page_and_from_the_matrix(client, store):
    store.conn.execute("UPDATE motion_votes SET party = 'Krol/vKA' WHERE party = 'DENK'")
    store.conn.commit()
    matrix = client.get("/partijen/overeenstemming").text
    # the slash as it is: a proxy may refuse an encoded one (%2F)
    assert 'href="/partij/Krol/vKA"' in matrix and 'href="/partijen/verschil/Krol/vKA/VVD"' in matrix
    page = client.get("/partij/Krol/vKA")
    assert page.status_code == 200 and '<h1 id="partij">Krol/vKA</h1>' in page.text
    for a, b in (("Krol/vKA", "VVD"), ("VVD", "Krol/vKA")):
        r = client.get(f"/partijen/verschil/{a}/{b}")
        assert r.status_code == 200 and f"<title>Waar {a} en {b} verschilden" in r.text, r.text


def test_the_party_pages_write_numbers_as_every_page_does(client):
    from motion_ops.serve.dutch import number

    out = client.get("/api/party-agreement").json()
    page = client.get("/partijen/overeenstemming").text
    cells = [(r["party"], c["party"], c["agreement"]) for r in out["rows"] for c in r["cells"]]
    assert cells and all(f'title="{a} en {b}: {number(x)}, ' in page for a, b, x in cells)


def test_an_unknown_party_or_motion_is_named_on_a_dutch_error_page(client):
    for path, params in (("/partij/Geen Partij", None), ("/partijen/verschil/VVD/Geen Partij", None),
                         ("/partijen/verschil/Geen Partij/VVD", None)):
        r = client.get(path, params=params)
        assert r.status_code == 404 and "Er is geen partij Geen Partij" in r.text, (path, r.text)
        assert "no party" not in r.text
    r = client.get("/partijmatch", params={"m": "2099Z99999:v"})
    assert r.status_code == 404 and "Er is geen motie met nummer of id 2099Z99999" in r.text
    r = client.get("/partijen/verschil/VVD/" + "x" * 61)
    assert r.status_code == 422 and "Partij: te lang" in r.text


def test_bad_answers_say_in_dutch_what_is_wrong_with_them(client, store):
    import html

    key = store.conn.execute("SELECT m.nummer FROM motions m JOIN motion_votes v ON v.motion_id = m.id "
                             "WHERE NOT m.deleted LIMIT 1").fetchone()[0]
    many = ",".join(f"2024Z{i:05d}:v" for i in range(21))
    for m, words in (("2024Z00001:ja", "Antwoorden: '2024Z00001:ja' is geen <motie>:v, <motie>:t of <motie>:o"),
                     (f"{key}:v,{key}:t", f"Antwoorden: motie {key} is twee keer beantwoord"),
                     (many, "Antwoorden: 21 antwoorden: hoogstens 20 moties in één partijmatch"),
                     ("", "Antwoorden: geen antwoorden")):
        r = client.get("/partijmatch", params={"m": m})
        text = html.unescape(r.text)
        assert r.status_code == 422 and words in text and "ongeldige waarde" not in text, (m, text)
    r = client.get("/partijmatch/antwoorden")
    assert r.status_code == 422 and "Antwoorden: geen antwoorden" in html.unescape(r.text)
    api = client.get("/api/party-match", params={"m": "2024Z00001:ja"}).json()  # the API keeps its English
    assert "is not <motion>:v" in api["problems"][0]["problem"]


def test_a_matrix_over_more_motions_than_it_reads_says_it_rests_on_the_newest(client, monkeypatch):
    from motion_ops.serve import parties

    monkeypatch.setattr(parties, "MATRIX_MAX_MOTIONS", 10)
    page = client.get("/partijen/overeenstemming").text
    assert "de nieuwste 10 moties van de selectie" in page
    assert client.get("/api/party-agreement").json()["limited"] is True


def test_each_questions_radio_group_names_its_motion_for_a_screen_reader(client):
    import re

    page = client.get("/partijmatch").text
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", page)
    assert len(legends) == 15 and len(set(legends)) == 15 and all(legend.startswith("Uw stem over ") for legend in legends)


def test_a_partys_page_can_be_followed_in_atom_and_by_e_mail(client):
    import feedparser

    page = client.get("/partij/VVD").text
    assert 'href="/feeds/moties?party=VVD"' in page and "Volg (Atom)" in page
    assert 'name="kind" value="party"' in page and 'name="follow_party" value="VVD"' in page
    feed = feedparser.parse(client.get("/feeds/moties?party=VVD").content)
    assert not feed.bozo and feed.version == "atom10" and feed.entries
