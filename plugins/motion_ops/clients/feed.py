"""HTTP client for the Tweede Kamer SyncFeed and OData endpoints.

One ``requests.Session`` with a connection pool sized to the worker count, a timeout on every
request, a response size cap, no redirects to other hosts, and :class:`~motion_ops.retry.RetryPolicy`
for connection errors, timeouts, 429 (honouring ``Retry-After``) and 5xx.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from motion_ops.clients.connection import ConnectionLike, base_url, extra_number
from motion_ops.clients.redact import redact, split_userinfo
from motion_ops.clients.retry import RetriesExhausted, RetryableError, RetryPolicy, parse_retry_after
from motion_ops.parsers.feedpage import FeedFormatError, FeedPage, parse_page

log = logging.getLogger(__name__)

FEED_PATH = "/SyncFeed/2.0/Feed"
ODATA_PATH = "/OData/v4/2.0"
DEFAULT_TIMEOUT = 30.0         # seconds per connect / read
DEFAULT_DEADLINE = 120.0       # seconds for a whole response, however slowly it trickles in
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_PARALLEL_CATEGORIES = 4   # feed categories read at once (each its own skiptoken chain)
DEFAULT_MIN_REQUEST_INTERVAL = 0.05  # seconds between two requests to the host (at most 20 per second)


class FeedError(Exception):
    """A request to the feed host failed for good. ``status`` is the HTTP status if any; the
    message and URL carry no credentials."""

    def __init__(self, message: str, *, url: str, status: int | None = None, attempts: int = 1):
        super().__init__(redact(message))
        self.url = redact(url)
        self.status = status
        self.attempts = attempts


class NotFound(FeedError):
    """404: e.g. a publication that is not published yet. Try again on a later run."""


class PayloadTooLarge(FeedError):
    """The response is larger than the configured cap."""


class HostNotAllowed(FeedError):
    """A redirect or link pointed away from the configured host."""


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    content: bytes


@dataclass
class FeedCursor:
    """Where a category's sync stands: the skiptoken to resume from and whether it is caught up."""

    category: str
    skiptoken: int | None = None
    done: bool = False

    @property
    def has_next_page(self) -> bool:
        return not self.done

    def update_state(self, page: FeedPage) -> None:
        """Move past ``page``: to its next link, or done when empty / resume / no next link."""
        if not page.entities:
            self.done = True
            return
        last = page.entities[-1].skiptoken
        nxt = page.next_skiptoken if page.next_skiptoken is not None else last
        if nxt is None or page.resume or page.next_skiptoken is None:
            self.done = True
        if nxt is not None:
            self.skiptoken = nxt


@dataclass(frozen=True)
class FeedConfig:
    """The ``motion_feed`` connection: host (the API's base URL); extras ``timeout`` (s per read),
    ``deadline`` (s per response), ``max_bytes``, ``retry_attempts``, ``retry_backoff`` (s),
    ``parallel_categories`` (feed categories read at once) and ``min_request_interval`` (s between
    two requests to the host, whatever thread sends them)."""

    base_url: str
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    deadline: float = DEFAULT_DEADLINE
    retry: RetryPolicy = RetryPolicy()
    parallel_categories: int = DEFAULT_PARALLEL_CATEGORIES
    min_request_interval: float = DEFAULT_MIN_REQUEST_INTERVAL

    @classmethod
    def from_connection(cls, conn: ConnectionLike) -> "FeedConfig":
        extra = conn.extra_dejson
        return cls(base_url=base_url(conn, default_scheme="https"),
                   timeout=extra_number(extra, "timeout", default=DEFAULT_TIMEOUT),
                   max_bytes=extra_number(extra, "max_bytes", default=DEFAULT_MAX_BYTES, kind=int),
                   deadline=extra_number(extra, "deadline", default=DEFAULT_DEADLINE),
                   retry=RetryPolicy(attempts=extra_number(extra, "retry_attempts", default=RetryPolicy.attempts, kind=int),
                                     backoff=extra_number(extra, "retry_backoff", default=RetryPolicy.backoff)),
                   parallel_categories=max(1, extra_number(extra, "parallel_categories",
                                                           default=DEFAULT_PARALLEL_CATEGORIES, kind=int)),
                   min_request_interval=max(0.0, extra_number(extra, "min_request_interval",
                                                              default=DEFAULT_MIN_REQUEST_INTERVAL)))


def _origin(parts: Any) -> tuple[str, str | None, int | None]:
    """What must match for a URL to be on the configured host: scheme, host, port (no credentials)."""
    return parts.scheme, parts.hostname, parts.port


class FeedClient:
    """Talks to ``base_url`` (e.g. ``https://gegevensmagazijn.tweedekamer.nl``) and nothing else.

    :param pool_size: connections kept per host; set it to the number of worker threads.
    :param max_bytes: responses larger than this raise :class:`PayloadTooLarge`.
    """

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
                 deadline: float = DEFAULT_DEADLINE,
                 policy: RetryPolicy = RetryPolicy(), pool_size: int = 10,
                 sleep: Callable[[float], None] = time.sleep, session: requests.Session | None = None,
                 user_agent: str = "motion-ops/1.0 (+https://opendata.tweedekamer.nl)", min_interval: float = 0.0,
                 parallel_categories: int = 1):
        base_url, auth = split_userinfo(base_url.rstrip("/"))
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"feed base URL must be http(s)://host[:port], got {redact(base_url)!r}")
        self.base_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self._origin = _origin(parts)
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.policy = policy
        self.sleep = sleep
        self.session = session or requests.Session()
        if auth is not None:  # credentials from the connection's URL go as HTTP basic auth, not in URLs
            self.session.auth = auth
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = user_agent
        self.min_interval, self.parallel_categories = min_interval, max(1, parallel_categories)
        self._pace_lock, self._next_slot = threading.Lock(), 0.0

    @classmethod
    def from_config(cls, config: FeedConfig, *, pool_size: int = 10) -> "FeedClient":
        return cls(config.base_url, timeout=config.timeout, max_bytes=config.max_bytes, deadline=config.deadline,
                   policy=config.retry, pool_size=max(pool_size, config.parallel_categories + 1),
                   min_interval=config.min_request_interval, parallel_categories=config.parallel_categories)

    def _pace(self) -> None:
        """Keep ``min_interval`` between the starts of two requests to the host (all threads)."""
        if self.min_interval <= 0:
            return
        with self._pace_lock:
            now = time.monotonic()
            wait = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + self.min_interval
        if wait > 0:
            time.sleep(wait)

    def close(self) -> None:
        self.session.close()

    # -- transport -------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if _origin(parts) != self._origin or parts.username is not None:
            raise HostNotAllowed(f"refusing to fetch {url}: only {self.base_url} is allowed", url=url)

    def _once(self, url: str, max_bytes: int) -> Response:
        self.check_host(url)
        self._pace()
        started = time.monotonic()
        try:
            resp = self.session.get(url, timeout=self.timeout, stream=True, allow_redirects=False)
        except (requests.ConnectionError, requests.Timeout) as exc:
            # not chained: a requests error holds the request (its basic-auth header) and may print URLs
            raise RetryableError(f"{type(exc).__name__} for {url}: {redact(str(exc))[:300]}") from None
        try:
            status = resp.status_code
            full_url = resp.url
            if 300 <= status < 400:
                target = urljoin(full_url, resp.headers.get("Location", ""))
                self.check_host(target)  # raises for another host
                raise FeedError(f"unexpected redirect {status} from {full_url} to {target}", url=full_url, status=status)
            if status in self.policy.statuses:
                raise RetryableError(f"HTTP {status} for {full_url}", status=status,
                                     retry_after=parse_retry_after(resp.headers.get("Retry-After")))
            if status == 404:
                raise NotFound(f"HTTP 404 for {full_url}", url=full_url, status=404)
            if status >= 400:
                raise FeedError(f"HTTP {status} for {full_url}", url=full_url, status=status)
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise PayloadTooLarge(f"{full_url}: {declared} bytes exceeds the cap of {max_bytes}",
                                      url=full_url, status=status)
            chunks, size = [], 0
            try:
                # read1: whatever has arrived (each read bounded by the timeout), so the deadline
                # bounds the whole response even when a server trickles it byte by byte
                while chunk := resp.raw.read1(64 * 1024, decode_content=True):
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(f"{full_url}: body exceeds the cap of {max_bytes} bytes",
                                              url=full_url, status=status)
                    chunks.append(chunk)
                    if time.monotonic() - started > self.deadline:
                        raise RetryableError(f"{full_url}: the response took longer than the deadline of "
                                             f"{self.deadline:.0f}s")
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout,
                    urllib3.exceptions.HTTPError, OSError) as exc:
                raise RetryableError(f"connection broken while reading {full_url}: {type(exc).__name__}") from None
            return Response(url=full_url, status=status, content_type=resp.headers.get("Content-Type", ""),
                            content=b"".join(chunks))
        finally:
            resp.close()

    def get(self, path_or_url: str, *, params: dict[str, Any] | None = None, max_bytes: int | None = None,
            parse: Callable[[Response], Any] | None = None) -> Any:
        """GET with retries. ``parse`` runs inside the retry loop: a truncated body that fails to
        parse is retried like a broken connection.

        :raises FeedError: (or a subclass) when the request failed for good.
        """
        url = path_or_url if "://" in path_or_url else self.url(path_or_url)
        if params:  # name the exact request (category, skiptoken) in logs and errors
            url = requests.Request("GET", url, params=params).prepare().url or url
        limit = max_bytes or self.max_bytes

        def attempt() -> Any:
            resp = self._once(url, limit)
            if parse is None:
                return resp
            try:
                return parse(resp)
            except (FeedFormatError, ValueError) as exc:
                raise RetryableError(f"unparseable response from {resp.url}: {exc}") from exc

        try:
            return self.policy.call(attempt, what=f"GET {url}", sleep=self.sleep)
        except RetriesExhausted as exc:
            raise FeedError(str(exc), url=url, status=exc.status, attempts=exc.attempts) from exc

    # -- SyncFeed ------------------------------------------------------------------------------
    @staticmethod
    def _feed_params(category: str, skiptoken: int | None) -> dict[str, Any]:
        return {"category": category} if skiptoken is None else {"category": category, "skiptoken": skiptoken}

    def feed_page_bytes(self, category: str, skiptoken: int | None = None) -> bytes:
        """The raw bytes of one SyncFeed page (with retries for the transport, no parsing)."""
        return self.get(FEED_PATH, params=self._feed_params(category, skiptoken)).content

    def feed_page(self, category: str, skiptoken: int | None = None) -> FeedPage:
        """One SyncFeed page of ``category`` after ``skiptoken`` (a page that fails to parse,
        e.g. cut off by a broken connection, is fetched again like any other failure)."""
        return self.get(FEED_PATH, params=self._feed_params(category, skiptoken),
                        parse=lambda r: parse_page(r.content, where=f"{category} page after skiptoken {skiptoken}"))

    # -- OData: publications and files -------------------------------------------------------------
    def publications(self, versie_id: str) -> list[dict[str, Any]]:
        """The DocumentPublicatie records of a document version (OData)."""
        def parse(r: Response) -> list[dict[str, Any]]:
            body = json.loads(r.content)
            value = body.get("value") if isinstance(body, dict) else None
            if not isinstance(value, list) or not all(isinstance(v, dict) and isinstance(v.get("Id"), str) for v in value):
                raise FeedError(f"{r.url}: not an OData collection of DocumentPublicatie records "
                                f"(got {r.content[:80]!r})", url=r.url, status=r.status)
            return value

        return self.get(f"{ODATA_PATH}/DocumentVersie({versie_id})/DocumentPublicatie", parse=parse)

    def publication_resource(self, publicatie_id: str) -> Response:
        return self.get(f"{ODATA_PATH}/DocumentPublicatie({publicatie_id})/Resource")

    def document_resource(self, document_id: str) -> Response:
        return self.get(f"/SyncFeed/2.0/Resources/{document_id}")
