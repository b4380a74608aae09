from email.message import EmailMessage
from types import SimpleNamespace

import pytest

from motion_ops.alerts.smtp import MailUnavailable, SmtpConfig, SmtpSender


def connection(**extra):
    return SimpleNamespace(conn_id="smtp_default", host="mail.example", port=None, login="user", password="pw-secret",
                           extra_dejson={"from_email": "moties@example.org", **extra})


def test_the_connection_is_read_as_the_smtp_provider_reads_it():
    c = SmtpConfig.from_connection(connection())
    assert (c.host, c.port, c.use_ssl, c.starttls, c.timeout, c.from_email) == ("mail.example", 465, True, True, 30.0,
                                                                               "moties@example.org")
    plain = SmtpConfig.from_connection(connection(disable_ssl=True, disable_tls=True, timeout=5))
    assert (plain.port, plain.use_ssl, plain.starttls, plain.timeout) == (25, False, False, 5.0)
    assert "pw-secret" not in repr(c)
    with pytest.raises(ValueError, match="from_email"):
        SmtpConfig.from_connection(SimpleNamespace(conn_id="smtp_default", host="h", port=25, login=None, password=None,
                                                   extra_dejson={}))


def test_a_message_reaches_a_real_smtp_server(smtp_server):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "moties@example.org", "lezer@example.org", "Hallo"
    msg.set_content("tekst")
    SmtpSender(smtp_server.config()).send_one(msg)
    (got,) = smtp_server.to("lezer@example.org")
    assert got["Subject"] == "Hallo"


def test_a_server_that_is_down_is_a_clear_error_without_credentials(smtp_server):
    config = SmtpConfig(host="127.0.0.1", port=smtp_server.port, from_email="m@example.org", login="u",
                        password="pw-secret", use_ssl=False, starttls=False, timeout=5)
    smtp_server.down()
    with pytest.raises(MailUnavailable) as err:
        SmtpSender(config).send_one(EmailMessage())
    assert str(err.value) == (f"the SMTP server 127.0.0.1:{smtp_server.port} cannot be reached or refuses the login "
                              "(ConnectionRefusedError)")
    assert err.value.__cause__ is None and err.value.__suppress_context__
