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
