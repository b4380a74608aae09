"""What every answer of the readers' app carries: security headers, a cache policy, HEAD, local docs."""
import re

import pytest
from fastapi.testclient import TestClient

from motion_ops.serve.app import Settings, create_app


def test_every_answer_carries_security_headers_and_a_cache_policy(client, published):
    mid = published[0].cases["amended_tvv"]
    for path in ("/", f"/motie/{mid}", "/api/motions?q=stikstof", f"/api/motions/{mid}",
                 f"/api/motions/{mid}/related", f"/api/motions/{mid}/related?limit=3", "/api/versions"):
        for _ in range(2):  # the second related-motions answer comes from the fast path's cache
            r = client.get(path)
            assert r.status_code == 200, path
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert r.headers["x-frame-options"] == "SAMEORIGIN", path
            csp = r.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "frame-ancestors 'self'" in csp and "script-src" not in csp, path
            assert r.headers["cache-control"] == "public, max-age=30", path
    for path, status in (("/api/motions/00000000-0000-4000-8000-000000000000", 404), ("/api/motions?limit=0", 422),
                         ("/motie/00000000-0000-4000-8000-000000000000", 404), ("/healthz", 200)):
        r = client.get(path)
        assert r.status_code == status and r.headers["cache-control"] == "no-store", path
        assert r.headers["x-content-type-options"] == "nosniff", path


def test_head_is_answered_as_get_without_a_body(client, published):
    mid = published[0].cases["amended_tvv"]
    for path in ("/", "/api/motions", f"/motie/{mid}", f"/api/motions/{mid}/related", "/healthz"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == 200 and head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert head.headers["x-content-type-options"] == "nosniff", path
    assert client.head("/motie/00000000-0000-4000-8000-000000000000").status_code == 404


def test_without_local_swagger_assets_the_docs_page_is_off_and_nothing_loads_from_a_cdn(published, pg_uri):
    client = TestClient(create_app(Settings(dsn=pg_uri, secret=b"docs", swagger_assets=None)))
    docs = client.get("/docs")
    assert docs.status_code == 404 and "cdn" not in docs.text.lower()
    assert client.get("/redoc").status_code == 404
    assert "/api/motions/{key}/related" in client.get("/openapi.json").json()["paths"]


def test_with_local_swagger_assets_the_docs_page_loads_only_from_the_app(published, pg_uri, tmp_path):
    (tmp_path / "swagger-ui-bundle.js").write_text("window.SwaggerUIBundle = function () {};")
    (tmp_path / "swagger-ui.css").write_text("body {}")
    app = create_app(Settings(dsn=pg_uri, secret=b"docs", swagger_assets=tmp_path))
    outer = __import__("fastapi").FastAPI()
    outer.mount("/motion-ops", app)
    c = TestClient(outer)
    docs = c.get("/motion-ops/docs")
    assert docs.status_code == 200 and "<script>" not in docs.text  # no inline script: the CSP forbids one
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert sources and all(s.startswith("/motion-ops/") for s in sources), sources
    for s in sources:
        asset = c.get(s)
        assert asset.status_code == 200 and asset.headers["x-content-type-options"] == "nosniff", s
    assert "openapi.json" in c.get("/motion-ops/docs/init.js").text
    assert "script-src 'self'" in docs.headers["content-security-policy"]


def test_swagger_ui_comes_from_the_installed_package_by_default(client):
    from motion_ops.serve.docs import installed_assets

    assert installed_assets() is not None, "fastapi-offline (requirements.txt) is not installed"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "<script>" not in docs.text
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000  # the real bundle, not a stand-in
    assert bundle.headers["content-type"].startswith("application/javascript")


def test_settings_read_the_environment_when_they_are_made_not_when_the_module_is_imported(monkeypatch):
    down = "postgresql://nobody@127.0.0.1:1/x?connect_timeout=1"
    for name, value in (("THREADS", "3"), ("CONNECTIONS", "5"), ("STATEMENT_TIMEOUT_MS", "1234"),
                        ("CACHE_SIZE", "7"), ("CACHE_TTL", "2.5"), ("VERSION_TTL", "0.25"), ("SECRET", "s3")):
        monkeypatch.setenv(f"MOTION_API_{name}", value)
    s = Settings(dsn=down)
    assert (s.threads, s.connections, s.statement_timeout_ms, s.cache_size, s.cache_ttl, s.version_ttl, s.secret) \
        == (3, 5, 1234, 7, 2.5, 0.25, b"s3")
    monkeypatch.setenv("MOTION_API_CACHE_SIZE", "8")
    assert create_app(Settings(dsn=down)).state.settings.cache_size == 8  # read when the app is built
    assert Settings(dsn=down, cache_size=0, threads=1).cache_size == 0  # what is given is not read
    monkeypatch.setenv("MOTION_API_VERSION_TTL", "nan")
    with pytest.raises(ValueError, match="MOTION_API_VERSION_TTL"):
        Settings(dsn=down)
