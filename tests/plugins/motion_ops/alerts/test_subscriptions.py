import pytest

from motion_ops.alerts import subscriptions
from motion_ops.alerts.subscriptions import Follow, Invalid


@pytest.mark.parametrize("value,stored", [("  Lezer@Example.ORG ", "Lezer@example.org"), ("a.b+c@sub.example.nl", "a.b+c@sub.example.nl")])
def test_an_address_is_stored_trimmed_with_its_domain_in_lower_case(value, stored):
    assert subscriptions.address(value) == stored


@pytest.mark.parametrize("value", ["", "geen", "a@b", "a@example.org, b@example.org", "Naam <a@example.org>",
                                   "a@example.org\nBcc: b@example.org", "x" * 250 + "@example.org", "a@-example.org",
                                   "l\u00e9zer@example.org", "a\x01b@example.org", "a\x7fb@example.org",
                                   # encoded words: a mail header decodes them to another address (and line ends)
                                   "=?utf-8?q?doel?=@example.org", "=?utf-8?b?ZG9lbA==?=@example.org",
                                   "=?utf-8?b?Cg0K?=@example.org", "a..b@example.org", ".a@example.org"])
def test_anything_but_one_plain_address_is_refused(value):
    with pytest.raises(Invalid, match="geldig e-mailadres"):
        subscriptions.address(value)


def test_a_search_is_stored_canonically_so_the_same_search_is_one_subscription():
    a = Follow.of("search", {"q": " stikstof ", "mode": "semantic", "party": "GL", "since": "2024-01-01"})
    b = Follow.of("search", {"since": "2024-01-01", "party": "GL", "mode": "semantic", "q": "stikstof", "vote": ""})
    assert a == b and a.json() == b.json()
    assert a.spec == {"q": "stikstof", "mode": "semantic", "filters": {"party": "GL", "vote": None, "outcome": None,
                                                                       "dossier": None, "since": "2024-01-01", "until": None}}
    assert Follow.of("party", {"party": "GL"}).spec == {"party": "GroenLinks-PvdA"}  # a party by its identity


@pytest.mark.parametrize("kind,fields,problem", [
    ("search", {}, "kies iets om te volgen"),
    ("search", {"q": "x", "mode": "magic"}, "zoekwijze"),
    ("search", {"q": "x", "vote": "misschien"}, "voor of tegen"),
    ("search", {"q": "x" * 201}, "langer dan 200"),
    ("search", {"q": "stikstof\r\nBcc: a@example.org"}, "regeleinde of stuurteken"),
    ("search", {"q": "x", "outcome": "aange\x0bnomen"}, "regeleinde of stuurteken"),
    ("party", {"party": "VVD\u2028D66"}, "regeleinde of stuurteken"),
    ("dossier", {"dossier": "36 000"}, "dossiernummer"),
    ("like", {}, "geef de motie"),
    ("party", {"party": " "}, "geef de partij"),
    ("all", {}, "onbekend soort"),
])
def test_a_malformed_request_says_what_is_wrong_in_dutch(kind, fields, problem):
    with pytest.raises(Invalid, match=problem):
        Follow.of(kind, fields)


def test_subscribe_confirm_and_delete_keep_only_what_sending_needs(store):
    follow = Follow.of("dossier", {"dossier": "36000"})
    sid, mail = subscriptions.subscribe(store, "lezer@example.org", follow, "wekelijks")
    assert mail and subscriptions.subscribe(store, "lezer@example.org", follow, "daily") == (sid, False)
    assert subscriptions.get(store, sid)["frequency"] == "daily"  # unconfirmed: the last request's
    assert subscriptions.confirm(store, sid) and subscriptions.confirm(store, sid)
    assert subscriptions.subscribe(store, "lezer@example.org", follow, "weekly") == (sid, False)
    assert subscriptions.get(store, sid)["frequency"] == "daily"  # confirmed: only its own link changes it
    columns = [r[0] for r in store.conn.execute("SELECT column_name FROM information_schema.columns "
                                                "WHERE table_name = 'alert_subscriptions' ORDER BY ordinal_position")]
    store.conn.commit()
    assert columns == ["id", "email", "kind", "spec", "frequency", "requested_at", "confirmed_at", "sent_seq", "sent_period",
                       "sent_on"]
    assert subscriptions.unsubscribe(store, sid) and not subscriptions.unsubscribe(store, sid)
    assert subscriptions.get(store, sid) is None and not subscriptions.confirm(store, sid)


def test_an_unconfirmed_request_is_mailed_again_after_an_hour_and_deleted_after_a_week(store):
    follow = Follow.of("party", {"party": "VVD"})
    sid, _ = subscriptions.subscribe(store, "lezer@example.org", follow, "daily")
    store.conn.execute("UPDATE alert_subscriptions SET requested_at = now() - interval '61 minutes'")
    store.conn.commit()
    assert subscriptions.subscribe(store, "lezer@example.org", follow, "daily") == (sid, True)
    store.conn.execute("UPDATE alert_subscriptions SET requested_at = now() - interval '8 days'")
    store.conn.commit()
    store.execute("delete_stale_alert_requests")
    assert subscriptions.get(store, sid) is None


def test_one_address_gets_at_most_three_confirmation_mails_an_hour_and_ten_open_requests_whatever_it_is_asked_to_follow(store):
    def ask(email, i):
        try:
            return subscriptions.subscribe(store, email, Follow.of("search", {"q": f"woord{i}"}), "daily")[1]
        except subscriptions.TooMany:
            return "te veel"

    assert [ask("doel@example.org", i) for i in range(5)] == [True, True, True, "te veel", "te veel"]
    assert ask("doel@example.org", 0) is False  # the same request again: no mail, as before, not refused
    assert ask("ander@example.org", 0) is True  # other addresses are not held
    for hour in range(3):  # hours later: three more an hour, until ten requests wait for their confirmation
        store.conn.execute("UPDATE alert_subscriptions SET requested_at = requested_at - interval '61 minutes'")
        store.conn.commit()
        asked = [ask("doel@example.org", 10 + 3 * hour + i) for i in range(3)]
        assert asked == ([True] * 3 if hour < 2 else [True, "te veel", "te veel"])
    open_ = store.conn.execute("SELECT count(*) FROM alert_subscriptions WHERE email = 'doel@example.org'").fetchone()[0]
    store.conn.commit()
    assert open_ == 10
    assert subscriptions.confirm(store, store.conn.execute(
        "SELECT id::text FROM alert_subscriptions WHERE email = 'doel@example.org' LIMIT 1").fetchone()[0])
    store.conn.commit()
    store.conn.execute("UPDATE alert_subscriptions SET requested_at = requested_at - interval '61 minutes'")
    store.conn.commit()
    assert ask("doel@example.org", 99) is True  # a confirmed one no longer counts as open


def test_a_request_unconfirmed_for_a_week_can_no_longer_be_confirmed_and_goes_without_waiting_for_a_digest_run(store):
    old, _ = subscriptions.subscribe(store, "oud@example.org", Follow.of("party", {"party": "VVD"}), "daily")
    store.conn.execute("UPDATE alert_subscriptions SET requested_at = now() - interval '8 days'")
    store.conn.commit()
    assert not subscriptions.confirm(store, old)  # its link expired with the week
    subscriptions.subscribe(store, "nieuw@example.org", Follow.of("party", {"party": "VVD"}), "daily")
    assert subscriptions.get(store, old) is None  # any new request clears expired ones: no address kept longer


def test_an_address_in_other_capitals_shares_its_limits_and_delete_everything_takes_every_spelling(store):
    spellings = ["doel@example.org", "Doel@example.org", "DOEL@example.org", "dOEL@example.org"]
    ids = [subscriptions.subscribe(store, email, Follow.of("dossier", {"dossier": f"3600{i}"}), "daily")[0]
           for i, email in enumerate(spellings[:3])]
    with pytest.raises(subscriptions.TooMany):  # a fourth confirmation mail to the same mailbox within the hour
        subscriptions.subscribe(store, spellings[3], Follow.of("dossier", {"dossier": "36009"}), "daily")
    subscriptions.subscribe(store, "ander@example.org", Follow.of("dossier", {"dossier": "36000"}), "daily")
    assert subscriptions.forget(store, ids[1]) == 3
    assert [r[0] for r in store.conn.execute("SELECT email FROM alert_subscriptions")] == ["ander@example.org"]
    store.conn.commit()


def test_withdrawing_deletes_every_unconfirmed_request_of_the_address_and_nothing_confirmed(store):
    kept = subscriptions.subscribe(store, "doel@example.org", Follow.of("dossier", {"dossier": "36000"}), "daily")[0]
    assert subscriptions.confirm(store, kept)
    asked = [subscriptions.subscribe(store, email, Follow.of("dossier", {"dossier": f"3601{i}"}), "daily")[0]
             for i, email in enumerate(["doel@example.org", "Doel@example.org"])]
    other = subscriptions.subscribe(store, "ander@example.org", Follow.of("dossier", {"dossier": "36000"}), "daily")[0]
    assert subscriptions.withdraw(store, asked[1]) == 2 and subscriptions.withdraw(store, asked[1]) == 0
    assert subscriptions.get(store, kept) and subscriptions.get(store, other)
    assert [subscriptions.get(store, sid) for sid in asked] == [None, None]
