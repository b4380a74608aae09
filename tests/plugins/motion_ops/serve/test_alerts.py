"""The e-mail digests' pages, as the readers' app answers them (with the reader role), mailing
through a real SMTP server on 127.0.0.1 (aiosmtpd)."""
import logging
import re

import pytest
from fastapi.testclient import TestClient

from motion_ops.alerts import subscriptions, tokens
from motion_ops.alerts.smtp import SmtpSender
from motion_ops.clients.providers import ProviderConfig
from motion_ops.serve.app import Settings, create_app
from motion_ops.serve.query_embedding import QueryEmbedder

KEY = b"serve-alerts-secret"


@pytest.fixture
def app_for(published, pg_uri):
    def make(smtp_server, **settings):
        return create_app(Settings(dsn=pg_uri, secret=b"test-secret", embed=QueryEmbedder(ProviderConfig()),
                                   version_ttl=0, mailer=lambda: SmtpSender(smtp_server.config()),
                                   alerts_secret=lambda: KEY, site_url="http://lezers.test", **settings))
    return make


@pytest.fixture
def client(app_for, smtp_server):
    with TestClient(app_for(smtp_server), raise_server_exceptions=False) as c:
        yield c


def dossier_of(store):
    return store.conn.execute("SELECT dossier FROM motions WHERE dossier IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]


def ask(client, store, email="lezer@example.org", **fields):
    form = {"kind": "dossier", "follow_dossier": dossier_of(store), "email": email, "frequency": "daily", **fields}
    return client.post("/volgen", data=form)


def link(msg, path):
    text = msg.get_body(("plain",)).get_content()
    return re.search(rf"http://lezers\.test(/volgen/{path}[^\s]*)", text).group(1)


def rows(store):
    found = store.conn.execute("SELECT email, kind, spec, frequency, confirmed_at IS NOT NULL FROM alert_subscriptions "
                               "ORDER BY email").fetchall()
    store.conn.commit()
    return found


def test_subscribing_mails_a_confirmation_link_and_following_it_confirms_and_shows_the_subscription(client, store,
                                                                                                   smtp_server):
    answer = ask(client, store)
    assert answer.status_code == 200 and "Bevestig je abonnement met de link" in answer.text
    assert answer.headers["cache-control"] == "no-store" and "lezer@example.org" not in answer.text
    (mail,) = smtp_server.to("lezer@example.org")
    assert mail["Subject"] == f"Bevestig je abonnement: dossier {dossier_of(store)}"
    assert rows(store) == [("lezer@example.org", "dossier", {"dossier": dossier_of(store)}, "daily", False)]
    opened = client.get(link(mail, "bevestig/"))  # the link opens a page with a button; it confirms nothing yet
    assert opened.status_code == 200 and 'id="bevestigen"' in opened.text and "dagelijks" in opened.text
    assert f"dossier {dossier_of(store)}" in opened.text and rows(store)[0][4] is False
    page = client.post(link(mail, "bevestig/"))
    assert page.status_code == 200 and "Je abonnement is bevestigd." in page.text and "dagelijks" in page.text
    assert rows(store)[0][4] is True
    assert client.post(link(mail, "bevestig/")).status_code == 200  # again: nothing changes
    again = client.get(link(mail, "bevestig/"))
    assert again.status_code == 200 and "Je abonnement is al bevestigd." in again.text and 'id="bevestigen"' not in again.text


def test_a_mail_scanner_that_opens_every_link_confirms_nothing(client, store, smtp_server):
    ask(client, store)
    (mail,) = smtp_server.to("lezer@example.org")
    for url in re.findall(r"http://lezers\.test(/\S*)", mail.get_body(("plain",)).get_content()):
        assert client.get(url).status_code in (200, 404)
        assert client.head(url).status_code in (200, 404, 405)
    assert rows(store)[0][4] is False


def test_an_address_a_stranger_filled_with_requests_is_freed_by_its_owner_from_any_confirmation_mail(
        app_for, store, smtp_server, monkeypatch):
    monkeypatch.setenv("MOTION_API_SUBSCRIBE_PER_CLIENT_PER_MINUTE", "100000")  # the address's own limits are tested
    monkeypatch.setenv("MOTION_API_SUBSCRIBE_PER_MINUTE", "100000")
    client = TestClient(app_for(smtp_server), raise_server_exceptions=False)
    for hour in range(4):  # three an hour, until ten wait for their confirmation
        asked = [ask(client, store, kind="search", q=f"woord{hour}{i}") for i in range(3)]
        assert [a.status_code for a in asked] == ([200, 200, 200] if hour < 3 else [200, 429, 429]), asked[-1].text
        store.conn.execute("UPDATE alert_subscriptions SET requested_at = requested_at - interval '61 minutes'")
        store.conn.commit()
    refused = ask(client, store, kind="search", q="wat ik echt wil")
    assert refused.status_code == 429 and "Niet aangevraagd" in refused.text and len(rows(store)) == 10
    mail = smtp_server.to("lezer@example.org")[0]
    page = client.get(link(mail, "bevestig/"))
    assert 'id="niet-aangevraagd"' in page.text
    assert client.post(f"/volgen/bevestig/{'A' * 30}.{'B' * 20}/niet-aangevraagd").status_code == 400
    gone = client.post(link(mail, "bevestig/") + "/niet-aangevraagd")
    assert gone.status_code == 200 and "10 onbevestigde aanmeldingen" in gone.text and rows(store) == []
    assert ask(client, store, kind="search", q="wat ik echt wil").status_code == 200
    client.close()


def test_a_confirmation_link_opened_after_its_week_says_the_request_expired_and_offers_no_button_that_fails(
        client, store, smtp_server):
    ask(client, store)
    (mail,) = smtp_server.to("lezer@example.org")
    store.conn.execute("UPDATE alert_subscriptions SET requested_at = now() - interval '8 days'")
    store.conn.commit()
    page = client.get(link(mail, "bevestig/"))
    assert page.status_code == 410 and "verlopen" in page.text and 'id="bevestigen"' not in page.text
    assert 'id="niet-aangevraagd"' in page.text  # withdrawing what a stranger asked still works
    pressed = client.post(link(mail, "bevestig/"))  # a page opened before it expired
    assert pressed.status_code == 410 and "verlopen" in pressed.text and rows(store)[0][4] is False


def test_asking_again_within_the_hour_mails_no_second_confirmation(client, store, smtp_server):
    assert ask(client, store).status_code == 200 and ask(client, store).status_code == 200
    assert len(smtp_server.to("lezer@example.org")) == 1 and len(rows(store)) == 1


def test_the_subscribe_form_is_rate_limited_per_client_address(app_for, store, smtp_server, monkeypatch):
    monkeypatch.setenv("MOTION_API_SUBSCRIBE_PER_CLIENT_PER_MINUTE", "2")  # a burst of 2, then one every 30 s
    with TestClient(app_for(smtp_server), raise_server_exceptions=False) as client:
        assert [ask(client, store, email=f"r{i}@example.org").status_code for i in range(2)] == [200, 200]
        refused = ask(client, store, email="late@example.org")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Te veel aanmeldingen" in refused.text and smtp_server.to("late@example.org") == []
    assert len(rows(store)) == 2


def test_a_tampered_or_misused_link_is_refused_and_nothing_changes(client, store, smtp_server):
    ask(client, store)
    confirm = link(smtp_server.messages[0], "bevestig/").rsplit("/", 1)[1]
    head, mac = confirm.split(".")
    assert client.get(f"/volgen/bevestig/{head}.{'A' * len(mac)}").status_code == 400
    assert "komt niet van deze site" in client.get(f"/volgen/bevestig/{head}.{'A' * len(mac)}").text
    assert client.post(f"/volgen/bevestig/{head}.{'A' * len(mac)}").status_code == 400
    assert client.get(f"/volgen/{confirm}").status_code == 400  # a confirmation link manages nothing
    assert client.post(f"/volgen/{confirm}/afmelden").status_code == 400
    assert rows(store)[0][4] is False


def test_unsubscribing_in_one_click_deletes_the_subscription_and_its_address(client, store, smtp_server):
    ask(client, store)
    sid = store.conn.execute("SELECT id::text FROM alert_subscriptions").fetchone()[0]
    store.conn.commit()
    manage = tokens.sign(KEY, tokens.MANAGE, sid)
    assert client.get(f"/volgen/{manage}/afmelden").status_code == 200 and rows(store)  # a page with the button
    answer = client.post(f"/volgen/{manage}/afmelden", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and "afgemeld" in answer.text and rows(store) == []
    assert client.get(f"/volgen/{manage}").status_code == 404


def test_delete_everything_removes_every_subscription_of_the_address_and_no_other(client, store, smtp_server):
    ask(client, store)
    ask(client, store, kind="party", follow_party="VVD")
    subscriptions.subscribe(store, "ander@example.org", subscriptions.Follow.of("party", {"party": "VVD"}), "daily")
    sid = store.conn.execute("SELECT id::text FROM alert_subscriptions WHERE email = 'lezer@example.org' LIMIT 1").fetchone()[0]
    store.conn.commit()
    manage = tokens.sign(KEY, tokens.MANAGE, sid)
    answer = client.post(f"/volgen/{manage}/vergeten")
    assert answer.status_code == 200 and "2 abonnementen" in answer.text
    assert [r[0] for r in rows(store)] == ["ander@example.org"]


def test_the_owner_changes_the_frequency_on_the_subscriptions_page(client, store, smtp_server):
    ask(client, store)
    sid = store.conn.execute("SELECT id::text FROM alert_subscriptions").fetchone()[0]
    store.conn.commit()
    manage = tokens.sign(KEY, tokens.MANAGE, sid)
    answer = client.post(f"/volgen/{manage}/frequentie", data={"frequency": "weekly"})
    assert answer.status_code == 200 and "wekelijks" in answer.text and rows(store)[0][3] == "weekly"


@pytest.mark.parametrize("fields,problem", [
    ({"email": "geen-adres"}, "geldig e-mailadres"),
    ({"email": "a@example.org, b@example.org"}, "geldig e-mailadres"),
    ({"frequency": "hourly"}, "dagelijks of wekelijks"),
    ({"kind": "everything"}, "onbekend soort"),
    ({"kind": "search"}, "kies iets om te volgen"),
    ({"kind": "search", "q": "stikstof", "since": "gisteren"}, "geen datum"),
    ({"kind": "search", "q": "stikstof\r\nBcc: iedereen@example.org"}, "regeleinde of stuurteken"),
])
def test_bad_input_is_a_dutch_422_that_stores_and_mails_nothing(client, store, smtp_server, fields, problem, caplog):
    caplog.set_level(logging.DEBUG)
    answer = ask(client, store, **fields)
    assert answer.status_code == 422 and problem in answer.text
    assert rows(store) == [] and smtp_server.messages == []
    assert "example.org" not in caplog.text


def test_following_a_motion_that_does_not_exist_is_a_404(client, store, smtp_server):
    assert ask(client, store, kind="like", motion="00000000-0000-0000-0000-000000000000").status_code == 404
    assert rows(store) == []


def test_an_smtp_server_that_is_down_is_a_503_and_asking_again_mails_at_once(client, store, smtp_server, caplog):
    smtp_server.down()
    caplog.set_level(logging.DEBUG)
    answer = ask(client, store)
    assert answer.status_code == 503 and "probeer het later opnieuw" in answer.text
    assert "lezer@example.org" not in caplog.text
    smtp_server.up()
    assert ask(client, store).status_code == 200 and len(smtp_server.to("lezer@example.org")) == 1


def test_without_an_smtp_connection_or_a_secret_the_site_says_e_mail_is_not_set_up(app_for, store, smtp_server,
                                                                                   monkeypatch):
    monkeypatch.delenv("MOTION_ALERTS_SECRET", raising=False)
    monkeypatch.delenv("AIRFLOW__API_AUTH__JWT_SECRET", raising=False)
    no_mailer = app_for(smtp_server)
    no_mailer.state.settings.mailer = None
    no_secret = app_for(smtp_server)
    no_secret.state.settings.alerts_secret = tokens.secret  # neither variable set
    for app in (no_mailer, no_secret):
        with TestClient(app, raise_server_exceptions=False) as c:
            answer = ask(c, store)
        assert answer.status_code == 409 and "niet ingesteld" in answer.text
    assert rows(store) == [] and smtp_server.messages == []


def test_many_requests_for_one_address_mail_it_three_confirmations_and_then_answer_429(client, store, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    answers = [ask(client, store, email="doel@example.org", kind="search", q=f"woord{i}") for i in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "dit e-mailadres" in answers[3].text and "doel@example.org" not in answers[3].text
    assert len(smtp_server.to("doel@example.org")) == 3 and len(rows(store)) == 3
    assert "doel@example.org" not in caplog.text


def test_a_mail_library_error_that_echoes_the_address_never_reaches_the_log(app_for, store, smtp_server, caplog):
    class Echoing(SmtpSender):
        def send_one(self, msg):  # as smtplib's and the email package's errors may: the recipient in the message
            raise UnicodeEncodeError("ascii", msg["To"], 0, 1, f"cannot encode {msg['To']}")

    app = app_for(smtp_server)
    app.state.settings.mailer = lambda: Echoing(smtp_server.config())
    caplog.set_level(logging.DEBUG)
    with TestClient(app, raise_server_exceptions=False) as c:
        answer = ask(c, store)
    assert answer.status_code == 503 and "lezer@example.org" not in answer.text
    assert "lezer@example.org" not in caplog.text and "UnicodeEncodeError" in caplog.text


def test_mounted_under_a_prefix_without_a_site_address_the_confirmation_link_points_within_the_mount(published, pg_uri,
                                                                                                    store, smtp_server):
    from fastapi import FastAPI

    outer = FastAPI()  # as the Airflow plugin mounts the app, MOTION_API_SITE_URL not set
    outer.mount("/motion-ops", create_app(Settings(dsn=pg_uri, secret=b"test-secret", version_ttl=0, site_url=None,
                                                   mailer=lambda: SmtpSender(smtp_server.config()),
                                                   alerts_secret=lambda: KEY)))
    with TestClient(outer, raise_server_exceptions=False) as c:
        form = {"kind": "dossier", "follow_dossier": dossier_of(store), "email": "lezer@example.org", "frequency": "daily"}
        assert c.post("/motion-ops/volgen", data=form).status_code == 200
        (mail,) = smtp_server.to("lezer@example.org")
        url = re.search(r"http://testserver(/\S*volgen/bevestig/\S+)", mail.get_body(("plain",)).get_content()).group(1)
        assert url.startswith("/motion-ops/volgen/bevestig/")
        page = c.get(url)  # its button posts within the mount too
        assert page.status_code == 200 and f'action="{url}"' in page.text and rows(store)[0][4] is False
        assert c.post(url).status_code == 200 and rows(store)[0][4] is True


def test_an_smtp_connection_that_cannot_be_read_says_e_mail_is_not_set_up_and_stores_nothing(app_for, store,
                                                                                             smtp_server, caplog):
    from airflow.sdk.exceptions import AirflowNotFoundException

    def not_defined():  # what the plugin's mailer raises when the connection smtp_default is not defined
        raise AirflowNotFoundException("The conn_id `smtp_default` isn't defined")

    app = app_for(smtp_server)
    app.state.settings.mailer = not_defined
    caplog.set_level(logging.DEBUG)
    with TestClient(app, raise_server_exceptions=False) as c:
        answer = ask(c, store)
        assert answer.status_code == 409 and "niet ingesteld" in answer.text
        assert rows(store) == [] and "lezer@example.org" not in caplog.text
        app.state.settings.mailer = lambda: SmtpSender(smtp_server.config())  # the connection is defined now
        assert ask(c, store).status_code == 200 and len(smtp_server.to("lezer@example.org")) == 1  # mailed at once


def test_a_form_larger_than_a_subscription_needs_is_refused_with_413_and_changes_nothing(client, store, smtp_server):
    pad = "x" * 100_000
    assert ask(client, store, pad=pad).status_code == 413
    assert rows(store) == [] and smtp_server.messages == []
    ask(client, store)
    sid = store.conn.execute("SELECT id::text FROM alert_subscriptions").fetchone()[0]
    store.conn.commit()
    manage = tokens.sign(KEY, tokens.MANAGE, sid)
    answer = client.post(f"/volgen/{manage}/frequentie", data={"frequency": "weekly", "pad": pad})
    assert answer.status_code == 413 and "Te groot" in answer.text and rows(store)[0][3] == "daily"


def test_the_subscriptions_page_shows_when_it_was_confirmed_in_amsterdam_time(client, store, smtp_server):
    ask(client, store)
    sid = store.conn.execute("UPDATE alert_subscriptions SET confirmed_at = '2026-07-01 08:56:00+00' "
                             "RETURNING id::text").fetchone()[0]
    store.conn.commit()
    page = client.get(f"/volgen/{tokens.sign(KEY, tokens.MANAGE, sid)}")
    assert page.status_code == 200 and '<dd id="bevestigd">01-07-2026 10:56</dd>' in page.text


def test_without_a_site_address_a_request_to_an_outsiders_host_mails_no_link_there_and_stores_nothing(app_for, store,
                                                                                                      smtp_server, caplog):
    caplog.set_level(logging.WARNING)
    app = app_for(smtp_server)
    app.state.settings.site_url = None  # MOTION_API_SITE_URL not set: the Host header is the client's word
    with TestClient(app, base_url="http://aanvaller.example", raise_server_exceptions=False) as c:
        answer = ask(c, store)
        assert answer.status_code == 409 and "niet ingesteld" in answer.text
        assert rows(store) == [] and smtp_server.messages == [] and "MOTION_API_SITE_URL" in caplog.text
    for local in ("http://127.0.0.1:8000", "http://localhost:8080", "http://[::1]:8000"):
        with TestClient(app, base_url=local, raise_server_exceptions=False) as c:
            assert ask(c, store, email=f"lezer{len(smtp_server.messages)}@example.org").status_code == 200
            body = smtp_server.messages[-1].get_body(("plain",)).get_content()
            assert f"{local}/volgen/bevestig/" in body
