"""The routes' values, shared by the app's routes and the fast path: the fast path takes exactly the
plain related-motions requests the route accepts, and answers a store that is down as the app does."""
import asyncio

from fastapi.testclient import TestClient

from motion_ops.serve import routes
from motion_ops.serve.app import Settings, create_app
from motion_ops.serve.cache import RelatedFastPath, ResponseCache
from motion_ops.serve.errors import StoreUnavailable

DOWN = "postgresql://nobody@127.0.0.1:1/x?connect_timeout=1"
LONGEST = "a" * routes.KEY_MAX_LENGTH


def url(key: str, query: str = "") -> str:
    return routes.RELATED.format(key=key) + (f"?{query}" if query else "")


class Published:
    def peek(self):
        return None  # nothing cached: every plain request is rendered


def through_fast_path(path: str, query: str = "", render=None) -> tuple[list, list]:
    """``(what render got, what was sent)`` for a GET of ``path?query``; ``[]`` sent: the app got it."""
    rendered, sent = [], []

    def render_(key, limit):
        rendered.append((key, limit))
        return render(key, limit) if render else b"{}"

    async def app(scope, receive, send):
        pass

    async def send(message):
        sent.append(message)

    fast = RelatedFastPath(app, ResponseCache(size=10), Published(), render=render_)
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "root_path": ""}
    asyncio.run(fast(scope, None, send))
    return rendered, sent


def test_the_fast_path_takes_exactly_the_plain_related_requests_the_route_accepts():
    client = TestClient(create_app(Settings(dsn=DOWN, secret=b"routes", swagger_assets=None)))
    related = client.get("/openapi.json").json()["paths"][routes.RELATED]["get"]
    params = {p["name"]: p["schema"] for p in related["parameters"]}
    assert params["key"]["maxLength"] == routes.KEY_MAX_LENGTH
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (routes.MIN_LIMIT, routes.MAX_LIMIT)
    taken = [(LONGEST, f"limit={routes.MAX_LIMIT}"), (LONGEST, f"limit={routes.MIN_LIMIT}"), ("2024Z12345", "")]
    refused = [(LONGEST + "a", ""), ("a", f"limit={routes.MAX_LIMIT + 1}"), ("a", f"limit={routes.MIN_LIMIT - 1}"),
               ("a_b", "")]
    for key, query in taken:
        rendered, _ = through_fast_path(routes.RELATED.format(key=key), query)
        assert rendered == [(key, int(query[6:]) if query else routes.RELATED_LIMIT)], (key, query)
    for key, query in refused:
        assert through_fast_path(routes.RELATED.format(key=key), query) == ([], []), (key, query)
        assert client.get(url(key, query)).status_code == 422, (key, query)  # the route refuses them
    for key, query in taken:  # the route accepts them too: the store (down) is asked
        assert client.get(url(key, query)).status_code == 503, (key, query)


def test_a_store_that_is_down_gets_the_same_answer_from_the_fast_path_and_the_app():
    def down(key, limit):
        raise StoreUnavailable("no store configured")

    _, sent = through_fast_path(routes.RELATED.format(key="a"), "limit=3", render=down)
    start, body = sent
    client = TestClient(create_app(Settings(dsn=DOWN, secret=b"routes", swagger_assets=None)))
    from_app = client.get(routes.RELATED.format(key="a"), params={"limit": 3, "min_score": 0})  # not the fast path's
    assert start["status"] == from_app.status_code == 503
    assert body["body"] == from_app.content
    assert dict(start["headers"])[b"content-type"] == from_app.headers["content-type"].encode()
