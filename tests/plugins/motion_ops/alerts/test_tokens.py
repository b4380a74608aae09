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


def test_the_secret_comes_from_the_environment_and_its_absence_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("MOTION_ALERTS_SECRET", "s3cret")
    assert tokens.secret() == b"s3cret"
    monkeypatch.delenv("MOTION_ALERTS_SECRET")
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "jwt")
    derived = tokens.secret()
    assert derived != b"jwt" and len(derived) == 32
    monkeypatch.delenv("AIRFLOW__API_AUTH__JWT_SECRET")
    with pytest.raises(RuntimeError, match="set MOTION_ALERTS_SECRET"):
        tokens.secret()
