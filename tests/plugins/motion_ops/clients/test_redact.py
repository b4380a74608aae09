import pytest

from motion_ops.clients.redact import redact, split_userinfo


@pytest.mark.parametrize("text,secret", [
    ("HTTP 400: headers: Authorization: Bearer sk-live-abcdef123456", "sk-live-abcdef123456"),
    ('{"error": "bad", "request": {"authorization": "Basic dXNlcjpwYXNz"}}', "dXNlcjpwYXNz"),
    ("GET https://alice:s3cr3t@tk.example/SyncFeed failed", "s3cr3t"),
    ("GET https://tk.example/x?api_key=abcd1234&category=Zaak", "abcd1234"),
    ("the key sk-plain-77777777 was refused", "sk-plain-77777777"),
])
def test_credentials_are_replaced_wherever_they_appear(text, secret):
    out = redact(text, ["sk-plain-77777777"])
    assert secret not in out and "***" in out


def test_userinfo_leaves_the_url_and_becomes_auth():
    assert split_userinfo("https://al%40ce:p%3Ass@tk.example:8443/base") == ("https://tk.example:8443/base", ("al@ce", "p:ss"))
    assert split_userinfo("https://tk.example") == ("https://tk.example", None)
