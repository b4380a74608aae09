"""The curated motions in the API: anonymous reads; writes only with the write token (401 without,
503 when none is configured), which never shows in an answer, a log or the settings."""
import logging

import pytest
from fastapi.testclient import TestClient

from motion_ops.serve.app import Settings, create_app
from motion_ops.serve.curated import authorised, disabled

TOKEN = "s3cret-write-token-for-tests"


@pytest.fixture
def writer(published, pg_uri):
    with TestClient(create_app(Settings(dsn=pg_uri, secret=b"t", write_token=TOKEN, version_ttl=0)),
                    raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def app_for_token(published, pg_uri):
    return lambda token: TestClient(create_app(Settings(dsn=pg_uri, secret=b"t", write_token=token, version_ttl=0)),
                                    raise_server_exceptions=False)


def bearer(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


def test_staff_pick_a_motion_with_the_token_and_anyone_reads_the_list(writer, published):
    mid = published[0].cases["amended_tvv"]
    assert writer.get("/api/curated").json() == {"items": []}
    r = writer.put(f"/api/curated/{mid}", json={"note": "Lees deze eerst"}, headers=bearer())
    assert r.status_code == 200 and r.json()["id"] == mid and r.headers["cache-control"] == "no-store"
    items = writer.get("/api/curated").json()["items"]
    assert [(i["id"], i["note"]) for i in items] == [(mid, "Lees deze eerst")] and items[0]["nummer"]
    assert writer.delete(f"/api/curated/{mid}", headers=bearer()).status_code == 204
    assert writer.get("/api/curated").json()["items"] == []
    assert writer.delete(f"/api/curated/{mid}", headers=bearer()).status_code == 404


@pytest.mark.parametrize("headers", [{}, bearer("wrong"), bearer(TOKEN + "x"), {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_a_write_without_the_right_token_is_401_and_changes_nothing(writer, published, headers, caplog):
    mid = published[0].cases["amended_tvv"]
    caplog.set_level(logging.DEBUG)
    r = writer.put(f"/api/curated/{mid}", json={"note": "x"}, headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert writer.delete(f"/api/curated/{mid}", headers=headers).status_code == 401
    assert writer.get("/api/curated").json()["items"] == []
    assert TOKEN not in r.text and TOKEN not in caplog.text


def test_with_no_token_configured_writes_are_disabled_with_503(client, published):
    mid = published[0].cases["amended_tvv"]
    r = client.put(f"/api/curated/{mid}", json={"note": "x"}, headers=bearer())
    assert r.status_code == 503 and "writes are disabled" in r.json()["error"]
    assert client.delete(f"/api/curated/{mid}", headers=bearer()).status_code == 503
    assert client.get("/api/curated").status_code == 200


def test_an_unknown_motion_or_a_bad_note_is_a_clear_error(writer, published):
    mid = published[0].cases["amended_tvv"]
    assert writer.put("/api/curated/2099Z99999", json={"note": "x"}, headers=bearer()).status_code == 404
    for body in ({"note": ""}, {"note": "x" * 281}, {"note": "a\x00b"}, {}, {"note": 3}):
        r = writer.put(f"/api/curated/{mid}", json=body, headers=bearer())
        assert r.status_code == 422 and "Traceback" not in r.text, body
    assert writer.get("/api/curated").json()["items"] == []


def test_the_token_is_compared_whole_and_never_shown_by_the_settings():
    assert authorised(TOKEN, f"Bearer {TOKEN}") is True and authorised(TOKEN, f"bearer  {TOKEN} ") is True
    assert authorised(TOKEN, f"Bearer {TOKEN[:-1]}") is False and authorised(TOKEN, None) is False
    assert authorised(None, f"Bearer {TOKEN}") is None and authorised("", "Bearer ") is None
    settings = Settings(dsn="postgresql://x:db-password@127.0.0.1/x", secret=b"cursor-secret", write_token=TOKEN)
    assert TOKEN not in repr(settings) and "cursor-secret" not in repr(settings) and "db-password" not in repr(settings)


def test_a_write_token_shorter_than_16_characters_disables_writes_and_says_why(app_for_token, published):
    assert authorised("short-token", "Bearer short-token") is None and disabled("x" * 16) is None
    with app_for_token("short-token") as c:
        r = c.put(f"/api/curated/{published[0].cases['amended_tvv']}", json={"note": "n"},
                  headers={"authorization": "Bearer short-token"})
    assert r.status_code == 503 and "fewer than 16 characters" in r.json()["error"] and "short-token" not in r.text


def test_the_write_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MOTION_API_WRITE_TOKEN", TOKEN)
    assert Settings(dsn="x").write_token == TOKEN
    monkeypatch.setenv("MOTION_API_WRITE_TOKEN", "")
    assert Settings(dsn="x").write_token is None


def test_a_write_is_refused_for_its_token_before_its_body_is_read_and_a_huge_body_is_413(writer, published):
    mid = published[0].cases["amended_tvv"]
    for body in ({"note": "x" * 1000}, {}, {"note": 3}):  # an anonymous caller learns nothing about the body
        r = writer.put(f"/api/curated/{mid}", json=body)
        assert r.status_code == 401 and "problems" not in r.json(), body
    big = writer.put(f"/api/curated/{mid}", content=b'{"note": "' + b"x" * 1_000_000 + b'"}',
                     headers={**bearer(), "content-type": "application/json"})
    assert big.status_code == 413 and "at most" in big.json()["error"]
    assert writer.put(f"/api/curated/{mid}", json={"note": 3}, headers=bearer()).json()["problems"][0]["parameter"] == "note"
    assert writer.get("/api/curated").json()["items"] == []


def test_a_write_token_with_a_trailing_line_break_from_a_secrets_file_still_works_and_blanks_disable_writes(monkeypatch):
    monkeypatch.setenv("MOTION_API_WRITE_TOKEN", f"  {TOKEN}\n")
    assert authorised(Settings(dsn="x").write_token, f"Bearer {TOKEN}") is True
    monkeypatch.setenv("MOTION_API_WRITE_TOKEN", " \n")
    assert Settings(dsn="x").write_token is None
