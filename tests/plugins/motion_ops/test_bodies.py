import dataclasses
import datetime as dt

from tests.plugins.motion_ops.test_sync import sync


def test_a_failing_body_is_audited_retried_next_run_and_given_up_after_n_runs(store, standin, clock, small_corpus):
    m = small_corpus.motions[0]
    pub = small_corpus.versie_publications[m["versie"]][0]
    standin.faults.add(kind="status", status=500, match=f"DocumentPublicatie\\({pub}\\)/Resource", times=-1)
    for run in range(3):
        sync(store, standin.url, clock, max_failures=2)
    rows = store.conn.execute("SELECT metadata FROM audit_events WHERE action = 'body_fetch_failed'").fetchall()
    assert len(rows) == 2 and rows[0][0]["motion"] == m["id"] and rows[0][0]["status"] == 500
    assert rows[0][0]["attempts"] == 3 and pub in rows[0][0]["url"]
    fetches = [r for r in standin.requests if pub in r]
    assert len(fetches) == 2 * 3  # two runs of three attempts; the third run no longer asks
    standin.faults.clear()
    state = store.conn.execute("SELECT failures FROM body_fetch_state WHERE motion_id = %s", (m["id"],)).fetchone()
    assert state == (2,)


def test_a_date_window_limits_body_fetching(store, standin, clock, small_corpus):
    days = sorted({m["day"] for m in small_corpus.motions})
    since, until = days[len(days) // 2], days[len(days) // 2] + dt.timedelta(days=1)
    sync(store, standin.url, clock, since=since, until=until)
    dated = store.conn.execute("SELECT DISTINCT started_on FROM motions WHERE body_text IS NOT NULL").fetchall()
    assert dated and all(since <= d < until for (d,) in dated)


def test_without_a_publication_the_text_comes_from_the_document_pdf(store, standin, clock, small_corpus):
    sync(store, standin.url, clock)
    (doc, zid), = [(d, m["id"]) for m in small_corpus.motions for d in [m["document"]] if d in small_corpus.document_pdfs]
    source, text = store.conn.execute("SELECT body_source, body_text FROM motions WHERE id = %s", (zid,)).fetchone()
    assert source == "document" and " ".join(text.split()) == small_corpus.expected_texts[zid]


def test_one_bad_document_answer_fails_only_its_body_and_counts_against_its_budget(store, clock):
    from devkit.standin.corpus import Corpus, pdf_document
    from devkit.standin.server import StandinServer

    corpus = Corpus(motions=12)
    pdf_motion = next(m for m in corpus.motions if m["document"] in corpus.document_pdfs)
    corpus.document_pdfs[pdf_motion["document"]] = pdf_document("De Kamer,\nverzoekt\x00 de regering te handelen,\nen gaat over")
    shapes = [m for m in corpus.motions if m["versie"] in corpus.versie_publications][:2]
    with StandinServer(corpus) as srv:
        srv.faults.add(kind="body", match=f"DocumentVersie\\({shapes[0]['versie']}\\)", body="[]", times=-1)
        srv.faults.add(kind="body", match=f"DocumentVersie\\({shapes[1]['versie']}\\)", body='{"value": ["x"]}', times=-1)
        out = sync(store, srv.url, clock, max_failures=2)
    assert out["bodies"]["failed"] == 2 and out["bodies"]["fetched"] >= 8
    text = store.conn.execute("SELECT body_text FROM motions WHERE id = %s", (pdf_motion["id"],)).fetchone()[0]
    assert text and "\x00" not in text and "verzoekt de regering" in text  # cleaned, stored
    failed = {t: meta for t, meta in store.conn.execute(
        "SELECT target, metadata FROM audit_events WHERE action = 'body_fetch_failed'").fetchall()}
    assert set(failed) == {shapes[0]["id"], shapes[1]["id"]}
    assert all("not an OData collection" in meta["error"] for meta in failed.values())
    states = dict(store.conn.execute("SELECT motion_id::text, failures FROM body_fetch_state WHERE failures > 0").fetchall())
    assert states == {shapes[0]["id"]: 1, shapes[1]["id"]: 1}


def test_a_body_the_store_refuses_is_that_bodys_failure(store, standin, clock, monkeypatch):
    from motion_ops import bodies

    victim = standin.corpus.motions[0]["id"]
    real = bodies.fetch_body

    def with_a_bad_byte(client, m):
        body = real(client, m)
        return dataclasses.replace(body, text=body.text + "\ud800") if m["id"] == victim else body  # not UTF-8

    monkeypatch.setattr(bodies, "fetch_body", with_a_bad_byte)
    out = sync(store, standin.url, clock)
    assert out["bodies"]["failed"] == 0  # cleaned: the text is stored with U+FFFD in its place
    assert store.conn.execute("SELECT body_text LIKE '%%\ufffd' FROM motions WHERE id = %s", (victim,)).fetchone() == (True,)


def test_credentials_in_the_feed_url_go_as_basic_auth_and_appear_nowhere(store, standin, clock, caplog):
    m = standin.corpus.motions[0]
    pub = standin.corpus.versie_publications[m["versie"]][0]
    standin.faults.add(kind="status", status=500, match=f"DocumentPublicatie\\({pub}\\)/Resource", times=-1)
    url = standin.url.replace("http://", "http://alice:hunter2-secret@")
    sync(store, url, clock)
    where = {
        "audit": store.conn.execute("SELECT string_agg(metadata::text, ' ') FROM audit_events").fetchone()[0],
        "state": store.conn.execute("SELECT string_agg(last_error, ' ') FROM body_fetch_state").fetchone()[0],
        "log": caplog.text}
    assert pub in where["audit"] and standin.url in where["audit"]
    assert all("hunter2-secret" not in text and "alice" not in text for text in where.values()), where
