import uuid

import pytest

from motion_ops.alerts import tokens

KEY = b"k" * 32


def test_a_token_carries_its_subscription_for_its_purpose_only():
    sid = str(uuid.uuid4())
    token = tokens.sign(KEY, tokens.MANAGE, sid)
    assert tokens.verify(KEY, tokens.MANAGE, token) == sid and len(token) < 50
    with pytest.raises(tokens.BadToken, match="niet van deze site"):
        tokens.verify(KEY, tokens.CONFIRM, token)
    with pytest.raises(tokens.BadToken, match="niet van deze site"):
        tokens.verify(b"another key", tokens.MANAGE, token)


@pytest.mark.parametrize("bad", ["", "abc", "a.b.c", "!!!.???", "AAAAAAAAAAAAAAAAAAAAAA.AAAA"])
def test_a_malformed_token_is_refused_without_an_exception_of_another_kind(bad):
    with pytest.raises(tokens.BadToken):
        tokens.verify(KEY, tokens.MANAGE, bad)


def test_the_links_key_is_motion_alerts_secret_alone_so_rotating_airflows_jwt_secret_breaks_no_link(monkeypatch):
    monkeypatch.setenv("MOTION_ALERTS_SECRET", "s3cret-of-twenty-chars")
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "jwt-before")
    before = tokens.secret()
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "jwt-after")  # rotated: every mailed link must still work
    assert tokens.secret() == before == b"s3cret-of-twenty-chars"
    monkeypatch.delenv("MOTION_ALERTS_SECRET")
    with pytest.raises(RuntimeError, match="set MOTION_ALERTS_SECRET") as err:  # no key derived from the JWT secret
        tokens.secret()
    assert "jwt-after" not in str(err.value)
    monkeypatch.delenv("AIRFLOW__API_AUTH__JWT_SECRET")
    with pytest.raises(RuntimeError, match="set MOTION_ALERTS_SECRET"):
        tokens.secret()


def test_a_short_secret_is_refused_without_showing_it(monkeypatch):
    monkeypatch.setenv("MOTION_ALERTS_SECRET", "kort-geheim")
    with pytest.raises(RuntimeError, match="at least 16 characters") as err:
        tokens.secret()
    assert "kort-geheim" not in str(err.value)
