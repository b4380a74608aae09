"""The explore page in a real browser: headless Chromium (Debian ``chromium`` + ``chromium-driver``,
installed by .ci/run) against the app served by uvicorn on 127.0.0.1. Skips, saying why, where
Chromium or its driver is absent."""
import re
import shutil
import threading
import time

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="headless Chromium or chromedriver is not installed "
                                "(Debian packages chromium and chromium-driver; .ci/run installs them)")


def serve(app):
    """``app`` served by uvicorn on 127.0.0.1 in a thread: yields its URL."""
    import uvicorn

    from tests.conftest import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def served(published, pg_uri):
    from motion_ops.clients.providers import ProviderConfig
    from motion_ops.serve.app import Settings, create_app
    from motion_ops.serve.query_embedding import QueryEmbedder

    yield from serve(create_app(Settings(dsn=pg_uri, secret=b"browser", embed=QueryEmbedder(ProviderConfig()))))


@pytest.fixture
def served_real(store, pg_uri):
    """Every 4th of the 638 real motions (devkit/data; 160, from every dossier), embedded with the
    multilingual model as passages by the embed stage and published; the app embeds queries with it."""
    from devkit import real_motions
    from motion_ops.serve.app import Settings, create_app

    motions = real_motions.read(every=4)
    e5 = real_motions.E5(threads=1)  # one OpenMP thread: a process that forks later does not hang
    real_motions.publish_version(store, real_motions.embed(store, e5, real_motions.load(store, motions)))
    app = create_app(Settings(dsn=pg_uri, secret=b"browser", embed=real_motions.E5QueryEmbedder(e5)))
    for url in serve(app):
        yield url, {m["zaak_id"]: m for m in motions}


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,2000",
                f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_a_reader_searches_opens_a_motion_sees_its_votes_and_related_motions_and_follows_one(served, browser, published,
                                                                                             tmp_path):
    from selenium.webdriver.common.by import By

    corpus = published[0]
    browser.get(served + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Zoeken in moties"
    assert browser.find_elements(By.CSS_SELECTOR, "#recent-kop") and browser.find_elements(By.CSS_SELECTOR, "#dossiers-kop")
    box = browser.find_element(By.ID, "q")
    box.send_keys("gewijzigde motie")
    _h1_after(browser, box.submit)  # submit() returns before the results page is there
    results = browser.find_elements(By.CSS_SELECTOR, "li.resultaat a")
    assert results and browser.find_elements(By.CSS_SELECTOR, "li.resultaat mark")
    target = [a for a in results if corpus.cases["amended_tvv"] in a.get_attribute("href")]
    assert target, "the amended motion is among the results"
    target[0].click()
    assert "Gewijzigde motie" in browser.find_element(By.ID, "titel").text
    chart = browser.find_element(By.ID, "stemmingsgrafiek")
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.voor") + chart.find_elements(By.CSS_SELECTOR, "rect.tegen")
    assert len(bars) >= 2 * 10 and any(float(b.get_attribute("width")) > 0 for b in bars)
    related = browser.find_elements(By.CSS_SELECTOR, "#verwante-moties li")
    assert len(related) == 8 and all("Verwant omdat:" in li.text for li in related)
    assert browser.find_element(By.ID, "eerdere-versies").find_elements(By.TAG_NAME, "a")
    browser.save_screenshot(str(tmp_path / "motion.png"))
    first = browser.find_element(By.CSS_SELECTOR, "#verwante-moties a.verwant")
    title, href = first.text, first.get_attribute("href")
    first.click()
    assert browser.current_url == href and browser.find_element(By.ID, "titel").text == title
    assert browser.find_elements(By.ID, "verwante-moties")
    browser.save_screenshot(str(tmp_path / "related.png"))
    assert (tmp_path / "motion.png").stat().st_size > 10_000


def test_a_reader_sees_a_motions_siblings_in_their_own_section_and_follows_one(served, browser, published):
    from selenium.webdriver.common.by import By

    corpus = published[0]
    browser.get(f"{served}/motie/{corpus.cases['amended_tvv']}")
    heading = browser.find_element(By.ID, "zelfde-dossier-kop")
    assert heading.text == "Uit hetzelfde debat / dossier"
    siblings = browser.find_elements(By.CSS_SELECTOR, "#zelfde-dossier-moties li")
    related = browser.find_elements(By.CSS_SELECTOR, "#verwante-moties li")
    assert siblings and related
    assert all("zelfde dossier" in li.text or "zelfde debat" in li.text for li in siblings)
    # the section comes before the related motions, which may reach other dossiers
    assert heading.location["y"] < browser.find_element(By.ID, "verwant-kop").location["y"]
    dossier = browser.find_element(By.CSS_SELECTOR, ".meta a[href*='dossier=']").text
    link = siblings[0].find_element(By.CSS_SELECTOR, "a.zelfde")
    title, href, why = link.text, link.get_attribute("href"), siblings[0].text
    link.click()
    assert browser.current_url == href and browser.find_element(By.ID, "titel").text == title
    assert dossier in browser.find_element(By.CSS_SELECTOR, "p.meta").text or "zelfde debat" in why


def test_the_api_docs_render_in_a_browser_from_local_assets_under_the_pages_policy(served, browser):
    """Swagger UI from the ``fastapi-offline`` package, started by /docs/init.js (no inline script),
    renders its operations under the app's content-security-policy; nothing is fetched elsewhere."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(served + "/docs")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"))
    paths = {e.text.replace("\u200b", "") for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/api/motions/{key}/related" in paths, paths
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(served) for u in urls), urls


# livestock, nitrogen, farming: the motion's dossier (Mestbeleid, the agriculture ministry's budget, the EU's
# Agriculture and Fisheries Council) or its subject (its title without "Motie van het lid X over"); not fishing
AGRICULTURE_DOSSIERS = {"33037", "36600-XIV", "21501-32"}
AGRICULTURE = re.compile(r"veestapel|\bvee(houder|houderij|dichtheid)?|\bkoe(ien)?\b|melkvee|stikstof|landbouw|boer|"
                         r"\bmest|agrar|agro|extensiv|uitkoop|\bdier|graasdier|kalveren|voedselbos", re.IGNORECASE)
FISHING = re.compile(r"\bvis(serij|sers|quotum|gronden)?\b|\bvangst|\btong|garnalen", re.IGNORECASE)


def test_a_readers_question_in_other_words_finds_motions_about_livestock_nitrogen_or_farming_first(served_real, browser,
                                                                                                   tmp_path):
    from selenium.webdriver.common.by import By

    from motion_ops.parsers.substance import subject

    url, motions = served_real
    browser.get(url + "/")
    assert browser.find_element(By.CSS_SELECTOR, "#mode option[selected]").get_attribute("value") == "hybrid"
    box = browser.find_element(By.ID, "q")
    box.send_keys("minder koeien houden voor het klimaat")
    _h1_after(browser, box.submit)  # submit() returns before the results page is there
    results = browser.find_elements(By.CSS_SELECTOR, "li.resultaat")
    browser.save_screenshot(str(tmp_path / "search.png"))
    assert len(results) >= 5 and "mode=hybrid" in browser.current_url
    first = [motions[li.find_element(By.TAG_NAME, "a").get_attribute("href").rsplit("/", 1)[1]] for li in results[:5]]
    titles = [subject(m["onderwerp"]) for m in first]
    about = [(m["dossier"] in AGRICULTURE_DOSSIERS or AGRICULTURE.search(t)) and not FISHING.search(t)
             for m, t in zip(first, titles)]
    assert all(about), "\n".join(f"{m['dossier']}: {t}" for m, t in zip(first, titles))
    assert all("gevonden op: " in li.text for li in results) and not browser.find_elements(By.CSS_SELECTOR, ".melding")


def test_a_reader_follows_motions_like_one_in_atom_and_opens_an_entry_in_the_browser(served, browser, published):
    import urllib.request

    from selenium.webdriver.common.by import By

    from tests.plugins.motion_ops.serve.atom_validator import validate

    corpus = published[0]
    browser.get(f"{served}/motie/{corpus.cases['amended_tvv']}")
    follow = [a for a in browser.find_elements(By.CSS_SELECTOR, "#volg a.atom") if "zoals" in a.text]
    assert follow and follow[0].text.startswith("Volg (Atom)")
    with urllib.request.urlopen(follow[0].get_attribute("href"), timeout=30) as r:  # what a feed reader fetches
        assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
        feed = validate(r.read())
    entry = feed["entries"][0]
    assert entry["link"].startswith(served + "/motie/")
    browser.get(entry["link"])
    assert browser.current_url == entry["link"]
    assert entry["title"].startswith(browser.find_element(By.ID, "titel").text)
    assert browser.find_elements(By.ID, "verwante-moties")


def test_a_reader_sees_the_curated_motions_first_then_pages_through_a_search_and_back(served, browser, published, store):
    from selenium.webdriver.common.by import By

    from motion_ops.store import curated

    corpus = published[0]
    picked = corpus.cases["amended_tvv"]
    curated.add(store, picked, "Een gewijzigde motie: zie ook de eerdere versie")
    browser.get(served + "/")
    sections = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main section h2")]
    assert sections[:2] == ["Uitgelicht", "Recente moties"], sections
    first = browser.find_element(By.CSS_SELECTOR, "#uitgelichte-moties li")
    assert "Een gewijzigde motie: zie ook de eerdere versie" in first.text
    assert first.location["y"] < browser.find_element(By.ID, "recent-kop").location["y"]
    first.find_element(By.TAG_NAME, "a").click()
    assert browser.current_url.endswith(f"/motie/{picked}")
    score = browser.find_element(By.CSS_SELECTOR, "#verwante-moties .meta").text
    assert re.search(r"score \d+,\d\d$", score), score
    assert not browser.find_elements(By.ID, "officieel")  # a generated motion: no link to tweedekamer.nl
    footer = browser.find_element(By.TAG_NAME, "footer").text
    assert not re.search(r"\)\.\S", footer), footer

    browser.get(served + "/?since=2020-01-01")
    count = browser.find_element(By.ID, "aantal").text
    total = int(count.split()[0])
    assert total > 20 and count.endswith("moties gevonden")
    assert browser.find_element(By.ID, "resultaten-kop").text == f"Resultaten 1-20 van {total}"
    page1 = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "li.resultaat > a")]
    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    assert browser.find_element(By.ID, "resultaten-kop").text.startswith("Resultaten 21-")
    browser.find_element(By.CSS_SELECTOR, "a[rel=prev]").click()
    assert [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "li.resultaat > a")] == page1
    assert not browser.find_elements(By.CSS_SELECTOR, "a[rel=prev]")

    browser.get(served + "/motie/2099Z99999")
    assert browser.find_element(By.CSS_SELECTOR, "p.fout").text == "Er is geen motie met nummer of id 2099Z99999."


@pytest.fixture
def served_alerts(published, pg_uri, smtp_server, monkeypatch):
    """The app with e-mail digests: subscriptions mailed through a real SMTP server on 127.0.0.1."""
    from motion_ops.alerts.smtp import SmtpSender
    from motion_ops.clients.providers import ProviderConfig
    from motion_ops.serve.app import Settings, create_app
    from motion_ops.serve.query_embedding import QueryEmbedder

    monkeypatch.setenv("MOTION_ALERTS_SECRET", "browser-alerts-secret")
    yield from serve(create_app(Settings(dsn=pg_uri, secret=b"browser", embed=QueryEmbedder(ProviderConfig()),
                                         mailer=lambda: SmtpSender(smtp_server.config()), site_url=None)))


def _h1_after(browser, click):
    """The h1 of the page a click leads to, once the page the click left is gone (a click returns before
    the browser has loaded the next page)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    click()
    WebDriverWait(browser, 30).until(ec.staleness_of(old))
    return WebDriverWait(browser, 30).until(lambda b: b.find_element(By.TAG_NAME, "h1")).text


def _mailed_link(smtp_server, address, path):
    (mail,) = smtp_server.to(address)
    return re.search(rf"(http://127\.0\.0\.1:\d+/volgen/{path}\S+)", mail.get_body(("plain",)).get_content()).group(1)


def _subscriptions(store):
    rows = store.conn.execute("SELECT email, kind, frequency, confirmed_at IS NOT NULL FROM alert_subscriptions "
                              "ORDER BY email").fetchall()
    store.conn.commit()
    return rows


def test_a_reader_follows_a_motion_by_e_mail_confirms_from_the_mail_and_unsubscribes_in_one_click(
        served_alerts, browser, published, store, smtp_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    motion = published[0].cases["amended_tvv"]
    browser.get(f"{served_alerts}/motie/{motion}")
    form = browser.find_element(By.ID, "volg-formulier")
    choice = form.find_element(By.CSS_SELECTOR, "input[name=kind]:checked")
    assert choice.get_attribute("value") == "like" and "moties zoals deze" in form.text
    form.find_element(By.ID, "volg-email").send_keys("lezer@example.org")
    Select(form.find_element(By.ID, "volg-frequentie")).select_by_visible_text("wekelijks")
    assert _h1_after(browser, form.find_element(By.ID, "volg-knop").click) == "Bijna klaar"
    assert _subscriptions(store) == [("lezer@example.org", "like", "weekly", False)]

    browser.get(_mailed_link(smtp_server, "lezer@example.org", "bevestig/"))  # opening the link confirms nothing
    assert browser.find_element(By.TAG_NAME, "h1").text == "Bevestig je abonnement" and "wekelijks" in browser.page_source
    assert _subscriptions(store) == [("lezer@example.org", "like", "weekly", False)]
    assert _h1_after(browser, browser.find_element(By.ID, "bevestigen").click) == "Je abonnement"
    assert browser.find_element(By.ID, "bericht").text == "Je abonnement is bevestigd."
    assert browser.find_element(By.ID, "hoe-vaak").text == "wekelijks" and "moties zoals" in browser.page_source
    assert _subscriptions(store) == [("lezer@example.org", "like", "weekly", True)]

    browser.get(browser.current_url.replace("/bevestig/", "/").split("?")[0])  # not the manage link: refused
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ongeldige link"
    browser.get(_mailed_link(smtp_server, "lezer@example.org", "bevestig/"))  # the mail's link again: no second button
    assert browser.find_element(By.ID, "bericht").text == "Je abonnement is al bevestigd."
    assert _h1_after(browser, browser.find_element(By.ID, "afmelden").click) == "Afgemeld"
    assert _subscriptions(store) == []


def test_a_reader_follows_a_dossier_from_its_search_results_and_deletes_everything_about_them(
        served_alerts, browser, published, store, smtp_server):
    from selenium.webdriver.common.by import By

    dossier = store.conn.execute("SELECT dossier FROM motions WHERE dossier IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]
    store.conn.commit()
    browser.get(f"{served_alerts}/?dossier={dossier}")
    form = browser.find_element(By.ID, "volg-formulier")
    form.find_element(By.CSS_SELECTOR, "input[name=kind][value=dossier]").click()
    form.find_element(By.ID, "volg-email").send_keys("lezer@example.org")
    assert _h1_after(browser, form.find_element(By.ID, "volg-knop").click) == "Bijna klaar"
    browser.get(_mailed_link(smtp_server, "lezer@example.org", "bevestig/"))
    assert _h1_after(browser, browser.find_element(By.ID, "bevestigen").click) == "Je abonnement"
    assert f"dossier {dossier}" in browser.find_element(By.ID, "abonnement").text
    assert _subscriptions(store) == [("lezer@example.org", "dossier", "daily", True)]
    assert _h1_after(browser, browser.find_element(By.ID, "vergeten").click) == "Gewist" and _subscriptions(store) == []


def test_someone_who_never_asked_withdraws_the_request_from_the_mails_page(served_alerts, browser, published, store,
                                                                          smtp_server):
    from selenium.webdriver.common.by import By

    browser.get(f"{served_alerts}/motie/{published[0].cases['amended_tvv']}")
    form = browser.find_element(By.ID, "volg-formulier")
    form.find_element(By.ID, "volg-email").send_keys("lezer@example.org")
    assert _h1_after(browser, form.find_element(By.ID, "volg-knop").click) == "Bijna klaar"
    browser.get(_mailed_link(smtp_server, "lezer@example.org", "bevestig/"))
    assert _h1_after(browser, browser.find_element(By.ID, "niet-aangevraagd").click) == "Gewist"
    assert "1 onbevestigde aanmelding " in browser.page_source and _subscriptions(store) == []
