import logging
import threading

import pytest

from motion_ops.clients.feed import FeedClient, FeedError, HostNotAllowed, NotFound, PayloadTooLarge
from motion_ops.clients.retry import RetryPolicy


def client(url, clock, **kw):
    return FeedClient(url, sleep=clock.sleep, policy=RetryPolicy(attempts=3), **kw)


def test_reads_a_page_and_its_skiptokens(standin, clock):
    page = client(standin.url, clock).feed_page("Zaak")
    assert len(page.entities) == 50 and page.next_skiptoken == page.entities[-1].skiptoken


def test_429_with_retry_after_is_waited_out_then_succeeds(standin, clock):
    standin.faults.add(kind="status", match="category=Zaak", status=429, retry_after=7, times=2)
    page = client(standin.url, clock).feed_page("Zaak")
    assert page.entities and len(clock.sleeps) == 2 and all(s >= 7 for s in clock.sleeps)


def test_persistent_500s_give_up_after_three_attempts_with_the_url_in_the_error(standin, clock):
    standin.faults.add(kind="status", match="category=Zaak", status=500, times=-1)
    with pytest.raises(FeedError) as exc:
        client(standin.url, clock).feed_page("Zaak")
    assert exc.value.status == 500 and exc.value.attempts == 3 and "category=Zaak" in exc.value.url
    assert clock.sleeps[0] == pytest.approx(0.5, rel=0.11) and clock.sleeps[1] == pytest.approx(1.0, rel=0.11)


@pytest.mark.parametrize("kind", ["reset", "truncate"])
def test_a_broken_or_truncated_page_is_retried(standin, clock, kind):
    standin.faults.add(kind=kind, match="category=Zaak", times=1)
    assert client(standin.url, clock).feed_page("Zaak").entities and len(clock.sleeps) == 1


def test_an_xml_bomb_is_refused_not_expanded(standin, clock):
    standin.faults.add(kind="bomb", match="category=Zaak", times=-1)
    with pytest.raises(FeedError, match="unsafe XML"):
        client(standin.url, clock).feed_page("Zaak")


def test_an_oversized_body_is_cut_off_at_the_cap(standin, clock):
    standin.faults.add(kind="oversize", match="category=Zaak", size=300_000, times=-1)
    with pytest.raises(PayloadTooLarge):
        client(standin.url, clock, max_bytes=100_000).feed_page("Zaak")
    assert clock.sleeps == []  # not retried


def test_a_missing_file_is_not_found_without_retries(standin, clock):
    with pytest.raises(NotFound):
        client(standin.url, clock).document_resource("00000000-0000-4000-8000-000000000000")
    assert clock.sleeps == []


def test_only_the_configured_host_is_fetched(standin, clock):
    c = client(standin.url, clock)
    with pytest.raises(HostNotAllowed):
        c.get("http://127.0.0.2:1/SyncFeed/2.0/Feed")
    with pytest.raises(HostNotAllowed):
        c.get(standin.url.replace("127.0.0.1", "localhost") + "/x")


def test_a_redirect_to_another_host_is_refused(clock):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "http://evil.test/steal")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with pytest.raises(HostNotAllowed, match="evil.test"):
            client(f"http://127.0.0.1:{srv.server_address[1]}", clock).get("/x")
    finally:
        srv.shutdown()


def test_the_connection_pool_matches_the_worker_count_so_nothing_is_discarded(standin, clock, caplog):
    from concurrent.futures import ThreadPoolExecutor

    c = client(standin.url, clock, pool_size=10)
    adapter = c.session.get_adapter(standin.url)
    assert adapter._pool_maxsize == 10
    versies = [m["versie"] for m in standin.corpus.motions[:40]]
    with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"):
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(c.publications, versies))
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]


def test_timeouts_apply_to_every_request(standin, clock):
    standin.faults.add(kind="latency", match="category=Zaak", seconds=0.5, times=-1)
    with pytest.raises(FeedError, match="Timeout"):
        FeedClient(standin.url, timeout=0.1, sleep=clock.sleep, policy=RetryPolicy(attempts=2)).feed_page("Zaak")


def test_a_server_that_trickles_its_answer_is_cut_off_at_the_deadline(standin, clock):
    import time

    standin.faults.add(kind="trickle", match="category=Zaak", size=200, seconds=0.1, times=-1)
    c = FeedClient(standin.url, timeout=2, deadline=1.0, sleep=clock.sleep, policy=RetryPolicy(attempts=2))
    started = time.monotonic()
    with pytest.raises(FeedError, match="deadline of 1s"):
        c.feed_page("Zaak")
    assert time.monotonic() - started < 2 * (1.0 + 0.1) + 1  # two attempts, each stopped at the deadline


def test_parallel_categories_and_the_request_interval_come_from_the_connection_with_conservative_defaults():
    from types import SimpleNamespace

    from motion_ops.clients.feed import FeedClient, FeedConfig

    def conn(extra):
        return SimpleNamespace(host="https://gegevensmagazijn.tweedekamer.nl", port=None, schema=None, login=None,
                               password=None, extra_dejson=extra)

    default = FeedConfig.from_connection(conn({}))
    assert (default.parallel_categories, default.min_request_interval) == (4, 0.05)
    tuned = FeedConfig.from_connection(conn({"parallel_categories": "2", "min_request_interval": 0.2}))
    client = FeedClient.from_config(tuned)
    assert (client.parallel_categories, client.min_interval) == (2, 0.2)
    assert FeedConfig.from_connection(conn({"parallel_categories": 0})).parallel_categories == 1
