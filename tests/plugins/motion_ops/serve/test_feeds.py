import datetime as dt
import re

from motion_ops.serve import feeds, reads
from tests.plugins.motion_ops.serve.atom_validator import validate


def q(store, sql, *args):
    cur = store.conn.execute(sql, args)
    rows = cur.fetchall() if cur.description else []
    store.conn.commit()
    return rows


def biggest_dossier(store):
    return q(store, "SELECT coalesce(dossier, publication_dossier) d FROM motions WHERE NOT deleted "
                    "GROUP BY 1 HAVING coalesce(dossier, publication_dossier) IS NOT NULL ORDER BY count(*) DESC, 1 LIMIT 1")[0][0]


def test_a_dossiers_feed_is_atom_with_each_motion_newest_first_linking_to_its_page(client, store, published):
    dossier = biggest_dossier(store)
    r = client.get(f"/feeds/moties?dossier={dossier}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = validate(r.content)
    assert feed["self"] == f"http://testserver/feeds/moties?dossier={dossier}" and dossier in feed["title"]
    rows = q(store, "SELECT id::text, updated_at, started_on FROM motions WHERE NOT deleted "
                    "AND coalesce(dossier, publication_dossier) = %s ORDER BY started_on DESC, updated_at DESC, id DESC", dossier)
    assert [e["id"] for e in feed["entries"]] == [f"urn:uuid:{row[0]}" for row in rows]  # newest first
    assert [e["updated"] for e in feed["entries"]] == [row[1].astimezone(dt.timezone.utc).replace(microsecond=0)
                                                       for row in rows]  # the store's change times, in UTC
    changed = q(store, "SELECT greatest(max(updated_at), (SELECT max(published_at) FROM similarity_versions)) "
                       "FROM motions")[0][0]  # the store's last change, so the feed's never goes back
    assert feed["updated"] == changed.astimezone(dt.timezone.utc).replace(microsecond=0)
    assert feed["updated"] >= max(e["updated"] for e in feed["entries"])
    assert all(e["link"] == f"http://testserver/motie/{e['id'][9:]}" for e in feed["entries"])
    page = client.get(feed["entries"][0]["link"].removeprefix("http://testserver"))
    assert page.status_code == 200 and 'id="titel"' in page.text


def test_a_feed_parser_reads_the_feed(client, store, published):
    import feedparser  # in requirements-dev: a skipped test would prove nothing

    parsed = feedparser.parse(client.get("/feeds/moties?q=motie&mode=text").content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.feed.title == "Moties met “motie”"
    assert parsed.entries and all(e.link.startswith("http://testserver/motie/") and e.updated_parsed for e in parsed.entries)


def test_an_entry_has_the_same_id_in_every_feed_and_a_feed_its_id_on_every_host(client, store, published):
    dossier = biggest_dossier(store)
    by_dossier = validate(client.get(f"/feeds/moties?dossier={dossier}").content)
    first = by_dossier["entries"][0]
    title = q(store, "SELECT title FROM motions WHERE id = %s", first["id"][9:])[0][0]
    by_words = validate(client.get("/feeds/moties", params={"q": f'"{title}"', "mode": "text"}).content)
    assert first["id"] in [e["id"] for e in by_words["entries"]]
    elsewhere = validate(client.get(f"/feeds/moties?dossier={dossier}&mode=hybrid&party=",
                                    headers={"host": "example.org"}).content)
    assert elsewhere["id"] == by_dossier["id"] and elsewhere["self"].startswith("http://example.org/feeds/moties?")
    assert all(e["link"].startswith("http://example.org/motie/") for e in elsewhere["entries"])


def test_the_feed_answers_304_to_its_etag_or_its_date_until_a_motion_changes(client, store, published):
    dossier = biggest_dossier(store)
    url = f"/feeds/moties?dossier={dossier}"
    first = client.get(url)
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag) and modified.endswith(" GMT")
    same = client.get(url, headers={"if-none-match": tag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == tag
    assert same.headers["cache-control"] == "public, max-age=30"
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"other"', "if-modified-since": modified}).status_code == 200
    newest = first.text.split("<entry>")[1].split("</id>")[0].split("urn:uuid:")[1]
    q(store, "UPDATE motions SET title = 'Nieuwe titel', updated_at = now() + interval '1 hour' WHERE id = %s", newest)
    changed = client.get(url, headers={"if-none-match": tag, "if-modified-since": modified})
    assert changed.status_code == 200 and changed.headers["etag"] != tag and "Nieuwe titel" in changed.text


def test_moties_zoals_deze_lists_the_motions_closest_in_meaning_newest_first_without_itself(client, store, published,
                                                                                            monkeypatch):
    corpus, model, _ = published
    monkeypatch.setattr(reads, "ALIKE_DEPTH", 5)
    motion = corpus.cases["amended_tvv"]
    closest = [r[0] for r in q(store, """
        SELECT e.motion_id::text FROM motion_embeddings e JOIN motions m ON m.id = e.motion_id AND NOT m.deleted
             AND e.content_hash = m.embed_hash
        WHERE e.model = %s ORDER BY e.embedding <=> (SELECT embedding FROM motion_embeddings
                                                    WHERE motion_id = %s AND model = %s), e.motion_id LIMIT 6""",
        model, motion, model)]
    assert closest[0] == motion
    feed = validate(client.get(f"/feeds/zoals/{motion}").content)
    assert sorted(e["id"][9:] for e in feed["entries"]) == sorted(closest[1:6])
    dates = [q(store, "SELECT started_on FROM motions WHERE id = %s", e["id"][9:])[0][0] for e in feed["entries"]]
    assert dates == sorted(dates, reverse=True) and feed["title"].startswith("Moties zoals ")


def test_a_motion_without_a_vector_has_no_feed_of_motions_like_it_and_says_why(client, store, published):
    motion = published[0].cases["amended_tvv"]
    q(store, "DELETE FROM motion_embeddings WHERE motion_id = %s", motion)
    r = client.get(f"/feeds/zoals/{motion}")
    assert r.status_code == 409 and "geen vector" in r.text
    assert client.get("/feeds/zoals/2099Z99999").status_code == 404


def test_text_no_xml_document_can_hold_is_left_out_and_markup_is_escaped(client, store, published):
    dossier = biggest_dossier(store)
    q(store, "UPDATE motions SET title = %s, updated_at = now() + interval '2 hours' WHERE id = (SELECT id FROM motions "
             "WHERE coalesce(dossier, publication_dossier) = %s ORDER BY id LIMIT 1)",
      "Motie \x0b<script>alert(1)</script> & zo", dossier)
    r = client.get(f"/feeds/moties?dossier={dossier}")
    titles = [e["title"] for e in validate(r.content)["entries"]]
    assert "Motie <script>alert(1)</script> & zo (gegenereerd)" in titles and b"<script>" not in r.content


def test_the_pages_name_their_feeds_in_the_head_and_show_a_follow_link(client, store, published):
    dossier = biggest_dossier(store)
    motion = published[0].cases["amended_tvv"]
    for url, wanted in ((f"/?dossier={dossier}", f"/feeds/moties?mode=hybrid&amp;dossier={dossier}"),
                        (f"/motie/{motion}", f"/feeds/zoals/{motion}"), ("/", "/feeds/moties?mode=hybrid")):
        page = client.get(url).text
        head = page.split("</head>")[0]
        assert '<link rel="alternate" type="application/atom+xml" title="Volg: ' in head and f'href="{wanted}"' in head
        assert re.search(rf'<a class="atom" type="application/atom\+xml" href="{re.escape(wanted)}">Volg \(Atom\)', page)
        feed = client.get(wanted.replace("&amp;", "&"))
        assert feed.status_code == 200 and validate(feed.content)["entries"]


def test_the_feeds_updated_never_goes_back_when_a_motion_leaves_it(client, store, published):
    dossier = biggest_dossier(store)
    url = f"/feeds/moties?dossier={dossier}"
    first = client.get(url)
    before = validate(first.content)
    newest = max(before["entries"], key=lambda e: e["updated"])["id"].removeprefix("urn:uuid:")
    q(store, "UPDATE motions SET deleted = true, updated_at = now() + interval '1 hour' WHERE id = %s", newest)
    after = client.get(url, headers={"if-modified-since": first.headers["last-modified"]})
    assert after.status_code == 200  # a reader that only sends the date learns of the change
    feed = validate(after.content)
    assert f"urn:uuid:{newest}" not in [e["id"] for e in feed["entries"]] and feed["updated"] > before["updated"]
    assert client.get(url, headers={"if-none-match": after.headers["etag"]}).status_code == 304


def test_a_feed_that_matches_nothing_is_a_valid_empty_feed_and_a_limit_changes_nothing(client, store, published):
    for params in ({"party": "Geen Partij"}, {"q": "zzqxjw", "mode": "text"}):
        r = client.get("/feeds/moties", params=params)
        feed = validate(r.content)
        assert r.status_code == 200 and feed["entries"] == [] and r.headers["etag"]
    everything = validate(client.get("/feeds/moties").content)["entries"]
    assert validate(client.get("/feeds/moties", params={"limit": 10**9}).content)["entries"] == everything
    assert len(everything) == feeds.ENTRIES


def test_a_dossier_title_with_characters_no_xml_document_can_hold_still_makes_a_valid_feed(client, store, published):
    import xml.etree.ElementTree as ET

    dossier = biggest_dossier(store)
    q(store, "UPDATE motions SET dossier_title = %s WHERE coalesce(dossier, publication_dossier) = %s",
      "Begroting\x0b 2026 \x01<&>", dossier)
    r = client.get(f"/feeds/moties?dossier={dossier}")
    assert r.status_code == 200 and validate(r.content)["entries"]
    labels = {c.get("label") for c in ET.fromstring(r.content).iter("{http://www.w3.org/2005/Atom}category")
              if c.get("term") == dossier}
    assert labels == {"Begroting 2026 <&>"}


def test_an_entrys_authors_are_named_as_the_motions_page_names_them(client, store, published):
    import xml.etree.ElementTree as ET

    dossier = biggest_dossier(store)
    first, second = q(store, "SELECT id::text FROM motions WHERE NOT deleted AND coalesce(dossier, publication_dossier) = %s "
                             "ORDER BY id LIMIT 2", dossier)
    q(store, "UPDATE motions SET submitters = ARRAY['L. Van den Berg (VVD)'] WHERE id = %s", first[0])
    q(store, "UPDATE motions SET submitters = '{}', body_text = 'verzoekt de regering iets te doen, "
             "en gaat over tot de orde van de dag.\nVan der Plas\nGrinwis' WHERE id = %s", second[0])
    r = client.get(f"/feeds/moties?dossier={dossier}")
    assert validate(r.content)["entries"]
    atom = "{http://www.w3.org/2005/Atom}"
    authors = {e.findtext(atom + "id"): [a.findtext(atom + "name") for a in e.findall(atom + "author")]
               for e in ET.fromstring(r.content).iter(atom + "entry")}
    assert authors[f"urn:uuid:{first[0]}"] == ["L. van den Berg (VVD)"]  # particles as Dutch writes them
    assert authors[f"urn:uuid:{second[0]}"] == ["Van der Plas", "Grinwis"]  # no Indiener: the text's signatories
    page = client.get(f"/motie/{second[0]}")
    assert "Van der Plas, Grinwis" in page.text


def test_moties_zoals_deze_are_ranked_by_closeness_to_the_motions_own_vector_alone(store, published):
    corpus, model, _ = published
    motion = corpus.cases["amended_tvv"]
    closest = [r[0] for r in q(store, """
        SELECT e.motion_id::text FROM motion_embeddings e JOIN motions m ON m.id = e.motion_id AND NOT m.deleted
             AND e.content_hash = m.embed_hash
        WHERE e.model = %s AND e.motion_id <> %s ORDER BY e.embedding <=> (SELECT embedding FROM motion_embeddings
                                                    WHERE motion_id = %s AND model = %s), e.motion_id LIMIT 30""",
        model, motion, motion, model)]
    assert [r["id"] for r in reads.alike(store, motion, depth=30)] == closest  # no feedback from its matches
