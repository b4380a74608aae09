import datetime as dt

from motion_ops.alerts import digest


def rows(n):
    return [{"id": f"00000000-0000-0000-0000-{i:012d}", "nummer": f"2025Z{i:05d}", "title": f"Motie <{i}> & zo",
             "started_on": dt.date(2025, 1, 1 + i)} for i in range(n)]


def test_a_digest_is_dutch_text_and_html_with_one_unsubscribe_link_and_the_one_click_headers():
    msg = digest.digest(sender="moties@example.org", to="lezer@example.org",
                        subscription_id="11111111-2222-3333-4444-555555555555", period="2026-11-30",
                        what=digest.describe("search", {"q": "stikstof", "mode": "hybrid", "filters": {"party": "VVD"}}),
                        frequency="daily", motions=rows(2), more=True, site_url="https://moties.example/",
                        manage_token="TOKEN")
    assert msg["Subject"] == "2+ nieuwe moties: zoekvraag “stikstof” (op tekst en betekenis), partij VVD"
    assert msg["List-Unsubscribe"] == "<https://moties.example/volgen/TOKEN/afmelden>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"] == "<11111111222233334444555555555555.2026-11-30@motion-ops>"
    text, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    for body in (text, html):
        assert body.count("/volgen/TOKEN/afmelden") == 1 and "https://moties.example/motie/2025Z00001" in body
        assert "dagelijks" in body and "En meer" in body
    assert "Motie <1> & zo" in text and "Motie &lt;1&gt; &amp; zo" in html and "<1>" not in html


def test_what_a_subscription_follows_reads_as_dutch():
    assert digest.describe("dossier", {"dossier": "36000"}) == "dossier 36000"
    assert digest.describe("party", {"party": "D66"}) == "partij D66"
    assert digest.describe("like", {"motion": "x"}, "Motie over dijken") == "moties zoals “Motie over dijken”"
    assert digest.describe("search", {"q": None, "mode": "text", "filters": {"dossier": "1", "vote": None}}) == \
        "moties, dossier 1"


def test_a_confirmation_mail_holds_the_link_and_says_nothing_happens_without_it():
    msg = digest.confirmation(sender="moties@example.org", to="lezer@example.org", what="dossier 36000",
                              frequency="weekly", confirm_url="https://moties.example/volgen/bevestig/T")
    text = msg.get_body(("plain",)).get_content()
    assert "https://moties.example/volgen/bevestig/T" in text and "wekelijks" in text and "Negeer" in text
    assert msg["List-Unsubscribe"] is None


def test_a_line_break_in_what_is_followed_can_neither_add_a_header_nor_stop_the_mail():
    what = digest.describe("like", {"motion": "x"}, "Motie over\r\nBcc: iedereen@example.org\u2028en\x0bmeer")
    msg = digest.confirmation(sender="moties@example.org", to="lezer@example.org", what=what, frequency="weekly",
                              confirm_url="https://moties.example/volgen/bevestig/T")
    headers = msg.as_bytes().split(b"\n\n", 1)[0]
    assert msg["Bcc"] is None and b"\nBcc:" not in headers
    assert msg["Subject"] == "Bevestig je abonnement: moties zoals “Motie over Bcc: iedereen@example.org en meer”"


def test_a_digest_writes_each_motions_date_as_the_site_does():
    msg = digest.digest(sender="moties@example.org", to="lezer@example.org",
                        subscription_id="11111111-2222-3333-4444-555555555555", period="2026-11-30",
                        what="dossier 36000", frequency="weekly", motions=rows(2), more=False,
                        site_url="https://moties.example", manage_token="TOKEN")
    for body in (msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()):
        assert "(2025Z00001), 02-01-2025" in body and "2025-01-02" not in body
