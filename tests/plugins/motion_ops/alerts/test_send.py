"""The digest run against a real SMTP server on 127.0.0.1 (aiosmtpd): one digest per confirmed
subscription a period, with what arrived since its last one; nothing twice; a server that is down
fails the run with what to expect, and the next run delivers."""
import datetime as dt
import logging

import pytest

from motion_ops.alerts import subscriptions
from motion_ops.alerts.digest import digest_id
from motion_ops.alerts.send import periods, run_digests
from motion_ops.alerts.smtp import MailUnavailable, SmtpSender
from motion_ops.alerts.subscriptions import Follow
from tests.plugins.motion_ops.alerts.conftest import KEY, q

MONDAY = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.timezone.utc)
TUESDAY = MONDAY + dt.timedelta(days=1)


def follow(store, email, follow_: Follow, frequency="daily", confirmed=True):
    sid, mail = subscriptions.subscribe(store, email, follow_, frequency)
    assert mail
    if confirmed:
        assert subscriptions.confirm(store, sid)
    return sid


def digests(store, smtp_server, now, **kw):
    return run_digests(store, SmtpSender(smtp_server.config()), now=now, site_url="http://lezers.test", key=KEY,
                       max_items=20, **kw)


def motion_ids(msg):
    return sorted(line.rsplit("/motie/", 1)[1] for line in msg.get_body(("plain",)).get_content().splitlines()
                  if "/motie/" in line)


def nummers(store, ids):
    return sorted(r[0] or r[1] for r in q(store, "SELECT nummer, id::text FROM motions WHERE id = ANY(%s::uuid[])", ids))


def test_each_night_sends_one_digest_per_confirmed_subscription_with_only_what_arrived_since(store, nights, smtp_server):
    nights.night(0)
    assert digests(store, smtp_server, MONDAY - dt.timedelta(days=1)).due == 0  # the baseline: nobody follows yet
    daily = follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    weekly = follow(store, "w@example.org", Follow.of("dossier", {"dossier": nights.dossier}), "weekly")
    follow(store, "u@example.org", Follow.of("dossier", {"dossier": nights.dossier}), confirmed=False)

    nights.night(1)
    first = digests(store, smtp_server, MONDAY)
    assert (first.arrived, first.due, first.sent) == (3, 2, 2)
    nights.night(2)
    second = digests(store, smtp_server, TUESDAY)
    assert (second.arrived, second.due, second.sent) == (3, 1, 1)  # the weekly one had its week's digest

    assert smtp_server.to("u@example.org") == []
    a = smtp_server.to("a@example.org")
    assert len(a) == 2 and len(smtp_server.to("w@example.org")) == 1
    assert motion_ids(a[0]) == nummers(store, [nights.groups[0][0]])
    assert motion_ids(a[1]) == nummers(store, [nights.groups[1][0]])
    assert a[0]["Message-ID"] == digest_id(daily, periods(MONDAY)["day"])
    assert smtp_server.to("w@example.org")[0]["Message-ID"] == digest_id(weekly, periods(MONDAY)["week"])


def test_running_again_for_the_same_day_sends_nothing_twice(store, nights, smtp_server):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    nights.night(1)
    assert digests(store, smtp_server, TUESDAY).sent == 1
    again = digests(store, smtp_server, TUESDAY)  # a cleared or retried task
    assert (again.due, again.sent) == (0, 0) and len(smtp_server.messages) == 1


def test_clearing_an_older_days_run_after_a_later_one_sent_sends_no_second_digest(store, nights, smtp_server):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    nights.night(1)
    assert digests(store, smtp_server, TUESDAY).sent == 1
    nights.night(2)  # more arrives; then Monday's run is cleared (say, by a backfill)
    assert (digests(store, smtp_server, MONDAY).due, len(smtp_server.messages)) == (0, 1)
    later = digests(store, smtp_server, TUESDAY + dt.timedelta(days=1))  # the next night delivers it
    assert later.sent == 1 and len(smtp_server.to("a@example.org")) == 2


def test_a_run_triggered_with_a_logical_date_in_the_future_does_not_silence_the_digests_until_then(store, nights,
                                                                                                  smtp_server):
    today = dt.datetime.now(dt.timezone.utc)
    nights.night(0)
    digests(store, smtp_server, today - dt.timedelta(days=2))
    follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    nights.night(1)
    assert digests(store, smtp_server, today + dt.timedelta(days=365)).sent == 1  # a typo in the trigger form
    after = dt.datetime.now(dt.timezone.utc)
    sent_on = q(store, "SELECT sent_on FROM alert_subscriptions WHERE email = 'a@example.org'")[0][0]
    # counted as today (in Amsterdam), not next year: the next night's run is due again
    assert sent_on.isoformat() in (periods(today)["day"], periods(after)["day"])


def test_switching_between_daily_and_weekly_on_a_day_a_digest_went_out_sends_no_second_that_day(store, nights,
                                                                                                smtp_server):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    daily = follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    weekly = follow(store, "w@example.org", Follow.of("dossier", {"dossier": nights.dossier}), "weekly")
    nights.night(1)
    assert digests(store, smtp_server, TUESDAY).sent == 2
    assert subscriptions.set_frequency(store, daily, "weekly") and subscriptions.set_frequency(store, weekly, "daily")
    nights.night(2)
    assert digests(store, smtp_server, TUESDAY + dt.timedelta(hours=12)).due == 0  # the same day: nothing
    wednesday = digests(store, smtp_server, TUESDAY + dt.timedelta(days=1))
    assert wednesday.sent == 1 and len(smtp_server.to("w@example.org")) == 2  # daily now: the next day
    assert len(smtp_server.to("a@example.org")) == 1  # weekly now: its week had its digest


def test_an_unreachable_smtp_server_fails_the_run_saying_what_happens_and_the_next_run_delivers(store, nights, smtp_server,
                                                                                               caplog):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    nights.night(1)
    port = smtp_server.port
    smtp_server.down()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailUnavailable) as err:
        digests(store, smtp_server, TUESDAY)
    assert f"127.0.0.1:{port} cannot be reached" in str(err.value)
    assert "0 digests sent, 1 not yet; they go out when this task is retried or cleared, or on the next run" in str(err.value)
    assert "a@example.org" not in str(err.value) + caplog.text
    smtp_server.up()
    assert digests(store, smtp_server, TUESDAY).sent == 1
    assert motion_ids(smtp_server.to("a@example.org")[0]) == nummers(store, [nights.groups[0][0]])


class KilledAfterSending(SmtpSender):
    """The process dies right after the server accepted the first digest (before its record commits)."""

    def session(self):
        from contextlib import contextmanager

        real = super().session

        @contextmanager
        def dying():
            with real() as session:
                send = session.send

                def send_then_die(msg):
                    send(msg)
                    raise SystemExit("killed")

                session.send = send_then_die
                yield session

        return dying()


def test_a_crash_between_the_send_and_its_record_sends_that_digest_once_more_with_the_same_message_id(store, nights,
                                                                                                    smtp_server):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    nights.night(1)
    with pytest.raises(SystemExit):
        run_digests(store, KilledAfterSending(smtp_server.config()), now=TUESDAY, site_url="http://x", key=KEY,
                    max_items=20)
    store.conn.rollback()
    assert digests(store, smtp_server, TUESDAY).sent == 1
    assert digests(store, smtp_server, TUESDAY).sent == 0
    first, again = smtp_server.to("a@example.org")
    assert first["Message-ID"] == again["Message-ID"]


def test_a_search_a_party_and_moties_zoals_deze_each_get_their_new_motions(store, nights, smtp_server):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    new = nights.groups[0][0]
    title, submitters = q(store, "SELECT title, submitters FROM motions WHERE id = %s", new)[0]
    word = max(title.split(), key=len)
    follow(store, "s@example.org", Follow.of("search", {"q": word, "mode": "text"}))
    follow(store, "none@example.org", Follow.of("search", {"q": "zzzgeenwoordzzz", "mode": "text"}))
    party = submitters[0].rsplit("(", 1)[1].rstrip(")")  # "Name (Party)"
    follow(store, "p@example.org", Follow.of("party", {"party": party}))
    nights.night(1)
    like_of = q(store, "SELECT neighbour_id::text FROM motion_related WHERE motion_id = %s ORDER BY rank LIMIT 1", new)[0][0]
    follow(store, "l@example.org", Follow("like", {"motion": like_of}))
    digests(store, smtp_server, TUESDAY)
    expected = nummers(store, [new])[0]
    assert expected in motion_ids(smtp_server.to("s@example.org")[0])
    assert expected in motion_ids(smtp_server.to("l@example.org")[0])
    assert smtp_server.to("none@example.org") == []
    assert expected in motion_ids(smtp_server.to("p@example.org")[0])


def test_a_dry_run_counts_what_is_due_and_registers_and_sends_nothing(store, nights, smtp_server):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    nights.night(1)
    dry = digests(store, smtp_server, TUESDAY, dry_run=True)
    assert (dry.arrived, dry.due, dry.sent) == (0, 1, 0) and smtp_server.messages == []
    assert digests(store, smtp_server, TUESDAY).arrived == 3  # the real run registers them


def test_a_digest_the_server_rejects_holds_up_no_other_and_is_tried_again_on_the_next_run(store, nights, smtp_server,
                                                                                         caplog):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    follow(store, "spam@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    nights.night(1)
    accept = smtp_server.handle_DATA

    async def reject_one(server, session, envelope):  # a content filter refuses one message after DATA
        if envelope.rcpt_tos == ["spam@example.org"]:
            return "554 5.7.1 message rejected for spam@example.org"
        return await accept(server, session, envelope)

    smtp_server.handle_DATA = reject_one
    caplog.set_level(logging.DEBUG)
    run = digests(store, smtp_server, TUESDAY)
    assert (run.due, run.sent, run.refused) == (2, 1, 1) and len(smtp_server.to("a@example.org")) == 1
    assert "spam@example.org" not in caplog.text
    smtp_server.handle_DATA = accept
    assert digests(store, smtp_server, TUESDAY).sent == 1 and len(smtp_server.to("spam@example.org")) == 1


def test_a_run_with_an_older_watermark_never_moves_a_subscriptions_progress_back(store, nights, smtp_server):
    nights.night(0)
    digests(store, smtp_server, MONDAY)
    sid = follow(store, "a@example.org", Follow.of("dossier", {"dossier": nights.dossier}))
    nights.night(1)
    upto = q(store, "SELECT max(seq) FROM alert_arrivals")[0][0]
    # a concurrent run that registered later arrivals covered them for this subscription (with nothing to send)
    q(store, "UPDATE alert_subscriptions SET sent_seq = %s WHERE id = %s", upto + 1000, sid)
    digests(store, smtp_server, TUESDAY)
    assert q(store, "SELECT sent_seq FROM alert_subscriptions WHERE id = %s", sid)[0][0] == upto + 1000


def test_migration_025_fills_the_day_of_the_last_digest_from_its_period(store):
    from motion_ops.store.db import SQL_DIR

    weekly = follow(store, "w@example.org", Follow.of("dossier", {"dossier": "36000"}), "weekly")
    daily = follow(store, "a@example.org", Follow.of("dossier", {"dossier": "36000"}))
    for sid, period in ((weekly, "2026-W49"), (daily, "2026-12-02")):
        store.conn.execute("UPDATE alert_subscriptions SET sent_on = NULL, sent_period = %s WHERE id = %s", (period, sid))
    store.conn.execute((SQL_DIR / "migrations" / "025_alert_sent_on.sql").read_text())
    found = dict(store.conn.execute("SELECT id::text, sent_on FROM alert_subscriptions").fetchall())
    store.conn.commit()
    assert found == {weekly: dt.date(2026, 11, 30), daily: dt.date(2026, 12, 2)}  # a week: its Monday
