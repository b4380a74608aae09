"""``make airflow``'s UI in a real browser: headless Chromium against a local Airflow (api-server,
scheduler, dag-processor, triggerer) started by ``devkit.local_airflow`` on free ports, with the
connections ``make airflow`` defines (and ``motion_llm``). Marked ``airflow_e2e``; skips, saying
why, where Chromium or its driver is absent. Everything it starts is stopped, also on failure."""
from __future__ import annotations

import json
import shutil
import time

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.airflow_e2e,
              pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="headless Chromium or chromedriver is not installed "
                                 "(Debian packages chromium and chromium-driver; .ci/run installs them)")]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_deployment(name: str, **kw):
    """A Deployment in ``.run-<name>`` / ``.pgdata-<name>`` with empty databases and a new home."""
    import psycopg

    from devkit import pgembedded
    from devkit.local_airflow import Deployment

    run_dir = ROOT / f".run-{name}"
    shutil.rmtree(run_dir / "home", ignore_errors=True)
    dep = Deployment(home=run_dir / "home", run=run_dir, pgdata=ROOT / f".pgdata-{name}", port=free_port(),
                     feed_port=free_port(), metadata_db=f"airflow_{name}", store_db=f"motions_{name}", **kw)
    with psycopg.connect(pgembedded.ensure(dep.pgdata), autocommit=True) as conn:
        for db in (dep.metadata_db, dep.store_db):
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return dep


def shut(dep) -> None:
    from devkit import pgembedded
    from devkit.local_airflow import stop

    stop(dep, quiet=True)
    pgembedded.stop(dep.pgdata)


@pytest.fixture(scope="module")
def ui_airflow():
    from devkit.local_airflow import start
    from devkit.standin.chat import ChatServer

    chat = ChatServer(model="ui-chat").start()
    dep = fresh_deployment("ui", connections={"motion_llm": {
        "conn_type": "pydanticai", "host": chat.base_url, "password": "sk-ui", "extra": {"model": "openai:ui-chat"}}})
    try:
        start(dep)
        yield dep
    finally:
        shut(dep)
        chat.stop()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # to read what the UI posts and gets
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.implicitly_wait(15)
    yield driver
    driver.quit()


def log_in(browser, dep, then: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{dep.url}/auth/login?next={then}")
    browser.find_element(By.NAME, "username").send_keys("admin")
    browser.find_element(By.NAME, "password").send_keys(dep.password())
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    deadline = time.time() + 30
    while "/auth/login" in browser.current_url and time.time() < deadline:
        time.sleep(0.5)
    assert "/auth/login" not in browser.current_url, "the login did not go through"


def click(browser, element) -> None:
    """A click the way a person's lands (a tooltip of the previous button may cover the element)."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", element)


def answer_to(browser, fragment: str, timeout: float = 60) -> tuple[dict, int, dict]:
    """The body the page sent to the first URL containing ``fragment`` since the last call, the
    response's status and its JSON body (from Chromium's network log)."""
    posted: dict[str, dict] = {}
    status: dict[str, int] = {}
    deadline = time.time() + timeout
    while time.time() < deadline:
        for entry in browser.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            p = msg.get("params", {})
            if msg["method"] == "Network.requestWillBeSent" and fragment in p["request"]["url"] \
                    and p["request"]["method"] != "OPTIONS":
                posted[p["requestId"]] = json.loads(p["request"].get("postData") or "{}")
            elif msg["method"] == "Network.responseReceived" and p["requestId"] in posted:
                status[p["requestId"]] = p["response"]["status"]
            elif msg["method"] == "Network.loadingFinished" and p["requestId"] in posted:
                body = browser.execute_cdp_cmd("Network.getResponseBody", {"requestId": p["requestId"]})["body"]
                return posted[p["requestId"]], status.get(p["requestId"], 0), json.loads(body or "{}")
        time.sleep(0.3)
    raise AssertionError(f"no answer to {fragment} within {timeout}s")


def toasts(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    return [t.text for t in browser.find_elements(By.CSS_SELECTOR, "[data-scope=toast][data-part=root]")]


def connection_rows(browser, dep) -> dict[str, object]:
    """The rows of Admin > Connections by connection id, once the page has rendered them."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    browser.get(f"{dep.url}/connections")
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            rows = {r.find_elements(By.TAG_NAME, "td")[1].text: r for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
            if rows and all(rows):
                time.sleep(1)  # the table re-renders once its data is in: take the rows after that
                return {r.find_elements(By.TAG_NAME, "td")[1].text: r
                        for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
        except (StaleElementReferenceException, IndexError):
            pass
        time.sleep(0.5)
    raise AssertionError("the connections page lists no connection")


def test_the_test_button_succeeds_for_every_connection_in_the_list_and_after_saving_each_edit_form(ui_airflow, browser):
    from selenium.webdriver.common.by import By

    dep = ui_airflow
    log_in(browser, dep, "%2Fconnections")
    names = sorted(connection_rows(browser, dep))
    assert names == ["motion_db", "motion_embeddings", "motion_feed", "motion_llm"]
    for rounds in ("as created", "after saving the edit form"):
        for name in names:
            row = connection_rows(browser, dep)[name]
            browser.get_log("performance")
            click(browser, row.find_element(By.CSS_SELECTOR, "button[aria-label='Test Connection']"))
            posted, status, answer = answer_to(browser, "/api/v2/connections/test")
            assert status == 200 and answer.get("status") is True, (rounds, name, posted, status, answer)
            deadline = time.time() + 10
            while not any("Test Connection Successful" in t for t in toasts(browser)) and time.time() < deadline:
                time.sleep(0.3)
            assert any("Test Connection Successful" in t for t in toasts(browser)), (rounds, name, toasts(browser))
        if rounds == "as created":
            # the edit form of Airflow 3.3.2 has no Test button: what it can break is the stored port, so
            # edit every connection's description in its form, save it, and test them all again
            for name in names:
                row = connection_rows(browser, dep)[name]
                click(browser, row.find_element(By.CSS_SELECTOR, "button[aria-label='Edit Connection']"))
                dialog = browser.find_element(By.CSS_SELECTOR, "[role=dialog]")
                assert not [b for b in dialog.find_elements(By.TAG_NAME, "button") if "Test" in b.text]
                dialog.find_element(By.TAG_NAME, "textarea").send_keys("edited in the form")
                browser.get_log("performance")
                click(browser, next(b for b in dialog.find_elements(By.TAG_NAME, "button") if b.text == "Save"))
                posted, status, answer = answer_to(browser, f"/api/v2/connections/{name}")
                assert status == 200 and answer["description"] == "edited in the form", (name, posted, status, answer)


def rest(dep, method: str, path: str, **kw):
    import requests

    token = requests.post(f"{dep.url}/auth/token", json={"username": "admin", "password": dep.password()},
                          timeout=30).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    r = requests.request(method, f"{dep.url}/api/v2{path}", headers=headers, timeout=30, **kw)
    assert r.status_code < 400, f"{method} {path}: {r.status_code} {r.text[:300]}"
    return r.json() if r.content else None


def states(dep, run_id: str) -> dict[str, str]:
    tis = rest(dep, "GET", f"/dags/motion_enrichment/dagRuns/{run_id}/taskInstances", params={"limit": 500})
    return {t["task_id"] + ("" if t["map_index"] < 0 else f"[{t['map_index']}]"): t["state"] for t in tis["task_instances"]}


def wait_for(what, timeout: float = 300, every: float = 2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = what()
        if got:
            return got
        time.sleep(every)
    return None


def task_log(dep, run_id: str, task: str) -> str:
    return json.dumps(rest(dep, "GET", f"/dags/motion_enrichment/dagRuns/{run_id}/taskInstances/{task}/logs/1",
                           headers={"Accept": "application/json"}))


PILOT_TEST = "test_demo_pilot_the_night_goes_on_without_an_unapproved_paid_model_and_a_rejection_fails_the_run_visibly"


@pytest.fixture(scope="module", autouse=True)
def pilot_airflow(request):
    """``make demo-pilot``'s own Airflow (its databases, home and ports), started in the background
    as the module begins when its test is selected, so its start, its nightly run and the manual
    run's pilot go on while the UI test runs. Yields (deployment, future of the manual run's id),
    or None; everything is stopped when the module is done."""
    from concurrent.futures import ThreadPoolExecutor

    from devkit.demo_pilot import start_pilot

    if not any(item.name == PILOT_TEST and item.module.__name__ == __name__ for item in request.session.items):
        yield None
        return
    dep = fresh_deployment("pilot")
    pool = ThreadPoolExecutor(1)
    try:
        yield dep, pool.submit(start_pilot, dep, provider_port=free_port())
    finally:
        pool.shutdown(wait=True)  # a start still under way ends before everything is stopped
        shut(dep)


def test_demo_pilot_the_night_goes_on_without_an_unapproved_paid_model_and_a_rejection_fails_the_run_visibly(
        pilot_airflow):
    import psycopg

    from devkit import pgembedded
    from devkit.demo_pilot import PILOT_MODEL

    dep, started = pilot_airflow
    try:
        manual = started.result(timeout=600)
        store = psycopg.connect(pgembedded.ensure(dep.pgdata).replace("/postgres?", f"/{dep.store_db}?"), autocommit=True)
        chain = f"openai:{PILOT_MODEL}+substance-v1"
        # 1. the scheduled (nightly) catch-up run does not wait for a decision: it syncs, pilots the model,
        #    stores the decision as pending, skips the paid step with the reason, and ends (the next night is free)
        nightly = wait_for(lambda: [r for r in rest(dep, "GET", "/dags/motion_enrichment/dagRuns")["dag_runs"]
                                    if r["run_type"] == "scheduled"], 120)
        assert nightly, "unpausing created no scheduled run"
        run = nightly[0]["dag_run_id"]
        end = wait_for(lambda: rest(dep, "GET", f"/dags/motion_enrichment/dagRuns/{run}")["state"]
                       in ("success", "failed") and rest(dep, "GET", f"/dags/motion_enrichment/dagRuns/{run}")["state"], 300)
        got = states(dep, run)
        assert end == "success", got  # the old code: still waiting in approve_embeddings (24 h)
        assert got["sync_content"] == got["pilot_embeddings"] == got["retry_failed"] == "success", got
        assert got["approve_embeddings"] == "skipped" and got["announce_texts"] == "success", got
        assert all(v in ("skipped", "removed") for k, v in got.items() if k.startswith("embed_missing")), got
        assert "decision pending" in task_log(dep, run, "approve_embeddings")
        assert store.execute("SELECT decision FROM llm_approvals WHERE chain = %s", (chain,)).fetchone() == ("pending",)
        assert store.execute("SELECT count(*) FROM motion_embeddings").fetchone()[0] == 0  # nothing paid for
        # 2. the run triggered by hand pilots and waits for a person; rejected, it fails, saying so
        assert wait_for(lambda: states(dep, manual).get("approve_embeddings") in ("awaiting_input", "deferred"), 300), \
            states(dep, manual)
        time.sleep(8)  # as a person would: a response within a second of the pause can be lost (Airflow 3.3.2)
        detail = rest(dep, "GET", f"/dags/motion_enrichment/dagRuns/{manual}/taskInstances/approve_embeddings/-1/hitlDetails")
        assert chain in detail["subject"] and "estimated cost" in detail["body"]
        rest(dep, "PATCH", f"/dags/motion_enrichment/dagRuns/{manual}/taskInstances/approve_embeddings/-1/hitlDetails",
             json={"chosen_options": ["Reject"]})
        end = wait_for(lambda: rest(dep, "GET", f"/dags/motion_enrichment/dagRuns/{manual}")["state"]
                       in ("success", "failed") and rest(dep, "GET", f"/dags/motion_enrichment/dagRuns/{manual}")["state"], 300)
        got = states(dep, manual)
        assert end == "failed" and got["approve_embeddings"] == "failed", got  # the old code: a green run
        assert "rejected the pilot" in task_log(dep, manual, "approve_embeddings")
        assert store.execute("SELECT decision FROM llm_approvals WHERE chain = %s", (chain,)).fetchone() == ("rejected",)
        assert store.execute("SELECT count(*) FROM motion_embeddings").fetchone()[0] == 0
        store.close()
    finally:
        shut(dep)  # as before: stopped as soon as the test is done (the fixture's stop then finds nothing)
