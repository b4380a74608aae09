"""The JSON read API: search, a motion, its related motions, versions and their differences."""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from motion_ops.serve import cursor, neighbours, reads
from motion_ops.serve.cache import RelatedFastPath, ResponseCache
from motion_ops.serve.errors import Unavailable
from motion_ops.serve.params import Key, Search, search_params
from motion_ops.serve.query_embedding import query_vector
from motion_ops.serve.routes import (
    DEFAULT_MIN_SCORE,
    HEALTHZ,
    MAX_BIGINT,
    MAX_CURSOR,
    MAX_LIMIT,
    MAX_SCORE,
    MIN_LIMIT,
    MIN_SCORE,
    MOTION,
    MOTIONS,
    RELATED,
    RELATED_LIMIT,
    SEARCH_LIMIT,
    SIBLINGS,
    SIBLINGS_LIMIT,
    VERSION_DIFF,
    VERSIONS,
)

log = logging.getLogger(__name__)


def json_response(body: dict[str, Any]) -> Response:
    """JSON without FastAPI's per-field encoding (the rows are plain values; dates as ISO strings)."""
    return Response(json.dumps(body, default=_plain, separators=(",", ":"), ensure_ascii=False).encode(),
                    media_type="application/json")


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def client_address(request: Request) -> str | None:
    """The address a request came from (per-client rate limits)."""
    return request.client.host if request.client else None


#: a hybrid search whose query could not be embedded: the text half still answers, and says so
TEXT_ONLY_NOTICE = "Zoeken op betekenis kan nu niet; deze resultaten zijn alleen op tekst gevonden."


def meaning(stores: Any, embedder: Any, search: Search, client: str | None) -> tuple[Any, str | None]:
    """``(semantic, notice)`` for a search: the query's ``(model, vector)`` when it needs one (None
    otherwise), and what the answer must say about it: that the model is lexical, or that a hybrid
    search found by text only because the vector could not be had (a semantic one raises instead).

    :raises Unavailable: semantic search without a usable provider (RateLimited over a rate limit).
    """
    if not search.semantic:
        return None, None
    try:
        semantic = query_vector(stores, embedder, search.q, client)
    except Unavailable as exc:
        if search.mode != "hybrid":
            raise
        log.info("hybrid search by text only: %s", exc)
        return None, TEXT_ONLY_NOTICE
    return semantic, reads.meaning_notice(semantic[0])


def _motion_brief(r: dict[str, Any]) -> dict[str, Any]:
    return {k: r.get(k) for k in ("id", "nummer", "title", "started_on", "dossier", "dossier_title", "outcome")}


class PublishedVersion:
    """The published version's number, read at most every ``ttl`` seconds (a new version reaches
    the cached answers that much later; 0: read on every request)."""

    def __init__(self, ttl: float):
        self.ttl, self.value, self.until, self.lock = ttl, None, 0.0, threading.Lock()

    def peek(self) -> int | None:
        """The number while it is fresh, else None (without reading the store)."""
        with self.lock:
            return self.value if self.ttl > 0 and time.monotonic() < self.until else None

    def get(self, store: Any) -> int | None:
        now = time.monotonic()
        with self.lock:
            if self.ttl > 0 and now < self.until:
                return self.value
        value = (store.read_one("api_current_version") or {}).get("version")
        with self.lock:
            self.value, self.until = value, now + self.ttl
        return value


def api_router(stores: Any, settings: Any) -> APIRouter:
    router = APIRouter()
    cache = ResponseCache(size=settings.cache_size, ttl=settings.cache_ttl)
    published = PublishedVersion(settings.version_ttl)

    def render(key: str, limit: int) -> bytes:
        with stores.lease() as store:
            return _related(store, key, limit, DEFAULT_MIN_SCORE, None).body

    router.fast_path = lambda app: RelatedFastPath(app, cache, published, render=render)  # type: ignore[attr-defined]
    router.cache = cache  # type: ignore[attr-defined] - for the tests and the bench

    @router.get(HEALTHZ, tags=["health"])
    def healthz() -> dict[str, Any]:
        with stores.lease() as store:
            row = store.read_one("api_health")
        return {"status": "ok", "published_version": row["version"] if row else None,
                "model": row["model"] if row else None, "motions": row["motions"] if row else 0}

    @router.get(MOTIONS, tags=["motions"])
    def list_motions(request: Request, search: Search = Depends(search_params),
                     limit: int = Query(SEARCH_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT)) -> Response:
        search = search.default("text")
        q, mode, scope = search.q, search.mode, search.scope("motions")
        offset = cursor.decode(settings.secret, scope, search.cursor)["offset"] if search.cursor else 0
        # before the lease: no connection waits for the provider
        semantic, notice = meaning(stores, settings.embed, search, client_address(request))
        with stores.lease() as store:
            rows = reads.search(store, q=q, mode=mode, filters=search.filters, limit=limit + 1, offset=offset,
                                semantic=semantic)
            v = store.read_one("api_version", {"version": None})
        items = [{**_motion_brief(r), "score": r["rank"], "found_by": r["found_by"], "all_words": r.get("all_words"),
                  "snippet": r["snippet"]} for r in rows[:limit]]
        more = len(rows) > limit
        return json_response({"query": q, "mode": mode, "similarity_version": v["version"] if v else None,
                              "model": v["model"] if v else None, "notice": notice,
                              "total": reads.total(rows, offset), "items": items,
                              "next_cursor": cursor.encode(settings.secret, scope, {"offset": offset + limit})
                              if more else None})

    @router.get(MOTION, tags=["motions"])
    def get_motion(key: str = Key) -> dict[str, Any]:
        with stores.lease() as store:
            m = reads.motion(store, key)
        text = m.pop("body_text")
        return {**m, "body_text": text}

    @router.get(RELATED, tags=["related motions"])
    def get_related(key: str = Key, limit: int = Query(RELATED_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT),
                    min_score: float = Query(DEFAULT_MIN_SCORE, ge=MIN_SCORE, le=MAX_SCORE,
                                             description="leave out neighbours below it"),
                    cursor_: str | None = Query(None, alias="cursor", max_length=MAX_CURSOR)) -> Response:
        with stores.lease() as store:
            return _related(store, key, limit, min_score, cursor_)

    def _related(store: Any, key: str, limit: int, min_score: float, cursor_: str | None) -> Response:
        state: dict[str, Any] = {}
        if cursor_:  # bound to the motion as the request names it and to the min_score
            state = cursor.decode(settings.secret, {"path": "related", "key": key, "min_score": min_score}, cursor_)
        pinned = state.get("version")
        if cache.size and not pinned:  # the cache is keyed by the version an answer comes from
            pinned = published.get(store)
        cache_key = (pinned, key, limit, min_score, state.get("after", 0))
        hit = cache.get(cache_key) if pinned else None
        if hit is not None:
            return Response(hit, media_type="application/json")
        after = int(state.get("after", 0))
        m, v, where = neighbours.related_head(store, key, pinned, limit=limit + 1, min_score=min_score, after=after)
        scope = {"path": "related", "key": key, "min_score": min_score}
        out = neighbours.related(store, m, v, limit=limit, min_score=min_score, after=after, where=where)
        items = [{"rank": r["rank"], "id": r["id"], "nummer": r["nummer"], "title": r["title"],
                  "dossier": r["dossier"], "started_on": r["started_on"], "score": round(float(r["score"]), 4),
                  "components": {"text": r.get("text_score"), "vote_agreement": r.get("agreement"),
                                 "vote_correlation": _rounded(r.get("vote_correlation")),
                                 "votes_notable": r.get("votes_notable", False),
                                 "parties_voted_same": r.get("vote_same"), "parties_voted_both": r.get("vote_common"),
                                 "same_dossier": r.get("same_dossier"), "same_debate": r.get("same_debate"),
                                 "shared_submitters": r.get("shared_submitters")},
                  "reason": r["reason"]} for r in out["items"]]
        nxt = cursor.encode(settings.secret, scope, {"version": v["version"], "after": items[-1]["rank"]}) \
            if out["more"] and items else None
        response = json_response({"motion": _motion_brief(m), "version": v["version"], "model": v["model"],
                                  "on_demand": out["on_demand"], "represented_by": out["represented_by"],
                                  "items": items, "next_cursor": nxt})
        cache.put(cache_key, response.body)
        return response

    @router.get(SIBLINGS, tags=["related motions"])
    def get_siblings(key: str = Key, limit: int = Query(SIBLINGS_LIMIT, ge=MIN_LIMIT, le=MAX_LIMIT)) -> Response:
        """The motion's siblings, apart from its related motions: the live motions of its dossier or
        its debate, the same debate first, then the newest, with how many there are (``total``)."""
        with stores.lease() as store:
            out = neighbours.siblings(store, key, limit=limit)
        return json_response({"motion": _motion_brief(out["motion"]), "total": out["total"], "items": out["items"]})

    @router.get(VERSIONS, tags=["versions"])
    def list_versions(limit: int = Query(20, ge=MIN_LIMIT, le=MAX_LIMIT)) -> dict[str, Any]:
        with stores.lease() as store:
            return {"items": store.read("api_versions", {"limit": limit})}

    @router.get(VERSION_DIFF, tags=["versions"])
    def version_diff(a: int = Path(..., ge=1, le=MAX_BIGINT), b: int = Path(..., ge=1, le=MAX_BIGINT),
                     limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
        with stores.lease() as store:
            return reads.diff(store, a, b, limit=limit)

    return router
