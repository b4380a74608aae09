"""A local embedding server for tests, benchmarks and demos, with injectable faults.

Speaks the OpenAI-compatible ``POST /v1/embeddings`` (and ``/embeddings`` at the root) and
Ollama's ``POST /api/embed``; vectors come from the lexical hashing embedding. Rules make it
fail like real servers do: N failures then success, 429 with ``Retry-After``, slow answers
(timeouts), 500 for any batch containing a marker text, 413 above a batch size, a wrong count,
a wrong dimension, NaN values, or another model's name; errors in OpenAI's or FastAPI's shape.
Control in-process through :attr:`ProviderServer.rules`, or over ``POST /_control``.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from devkit.standin._http import BackgroundHTTPServer, FaultRules, StandinHandler
from motion_ops.clients.hashing import HashingProvider


@dataclass
class Rule:
    """What to do to matching requests. ``marker``: only batches with an input containing it;
    ``times``: how many matching requests (-1 = all). kinds: status, delay, wrong_count,
    wrong_dim, nan, huge (values of 1e38), other_model, restart_index (indexes restart at 0 every
    4 items, as a gateway that chunks and concatenates), echo_auth (a ``status`` error whose
    message repeats the request's Authorization header, as some servers do)."""

    kind: str
    status: int = 500
    marker: str | None = None
    times: int = -1
    retry_after: float | None = None
    seconds: float = 0.0
    message: str = "injected failure"


@dataclass
class Call:
    path: str
    inputs: list[str]
    authorized: bool
    input_type: str | None = None  # the request's "input_type" (passage/query), if it said one


class ProviderServer(FaultRules, BackgroundHTTPServer):
    """Serve embeddings on 127.0.0.1:``port``.

    :param latency: fixed seconds added to every request (for benchmarks).
    :param root_only: serve OpenAI at ``/embeddings`` only (``/v1/embeddings`` answers 404).
    :param max_batch: more inputs than this answer 413.
    :param error_shape: "openai" (``{"error": {...}}``) or "fastapi" (422-style ``{"detail": [...]}``).
    """

    thread_name = "provider"
    rule_class = Rule

    def __init__(self, *, model: str = "test-embed", dims: int = 64, port: int = 0, latency: float = 0.0,
                 root_only: bool = False, max_batch: int | None = None, error_shape: str = "openai",
                 api_key: str | None = None):
        self.model, self.dims, self.latency = model, dims, latency
        self.root_only, self.max_batch, self.error_shape, self.api_key = root_only, max_batch, error_shape, api_key
        self.hashing = HashingProvider(dims)
        self._init_rules()
        self._serve("127.0.0.1", port, self._handler())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        srv = self

        class Handler(StandinHandler):
            def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
                if srv.error_shape == "fastapi":
                    body = {"detail": [{"loc": ["body", "input"], "msg": message, "type": "value_error"}]}
                else:
                    body = {"error": {"message": message, "type": "server_error" if status >= 500 else "invalid_request_error"}}
                self._json(status, body, headers)

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self._error(400, "body is not JSON")
                if self.path == "/_control":
                    with srv.lock:
                        srv.rules = [Rule(**r) for r in payload.get("rules", [])]
                    return self._json(200, {"ok": True})
                inputs = payload.get("input")
                inputs = [inputs] if isinstance(inputs, str) else list(inputs or [])
                auth = self.headers.get("Authorization")
                with srv.lock:
                    srv.calls.append(Call(self.path, inputs, auth is not None, payload.get("input_type")))
                openai_paths = ("/embeddings",) if srv.root_only else ("/v1/embeddings", "/embeddings")
                if self.path not in openai_paths + ("/api/embed",):
                    return self._error(404, f"no route {self.path}")
                if srv.api_key and auth != f"Bearer {srv.api_key}":
                    return self._error(401, "invalid api key")
                if srv.latency:
                    time.sleep(srv.latency)
                if payload.get("model") != srv.model:
                    return self._error(404 if self.path == "/api/embed" else 400, f"model {payload.get('model')!r} not found")
                if srv.max_batch and len(inputs) > srv.max_batch:
                    return self._error(413, f"batch of {len(inputs)} exceeds the maximum of {srv.max_batch}")
                rules = srv._take(inputs)
                for r in rules:
                    if r.kind == "delay":
                        time.sleep(r.seconds)
                for r in rules:
                    if r.kind == "echo_auth":
                        return self._error(r.status, f"{r.message}; request headers: Authorization: {auth}")
                    if r.kind == "status":
                        hdrs = {"Retry-After": str(r.retry_after)} if r.retry_after is not None else None
                        return self._error(r.status, r.message, hdrs)
                vectors = srv.hashing.embed(inputs)
                model = srv.model
                for r in rules:
                    if r.kind == "wrong_count":
                        vectors = vectors[:-1]
                    elif r.kind == "wrong_dim":
                        vectors = [v + [0.0] for v in vectors]
                    elif r.kind == "nan":
                        for i, t in enumerate(inputs):
                            if not r.marker or r.marker in t:
                                vectors[i] = [float("nan")] * len(vectors[i])
                    elif r.kind == "huge":
                        for i, t in enumerate(inputs):
                            if not r.marker or r.marker in t:
                                vectors[i] = [1e38] * len(vectors[i])
                    elif r.kind == "other_model":
                        model = "some-other-model"
                if self.path == "/api/embed":
                    body = {"model": model, "embeddings": vectors}
                else:
                    restart = any(r.kind == "restart_index" for r in rules)
                    body = {"object": "list", "model": model,
                            "data": [{"object": "embedding", "index": i % 4 if restart else i, "embedding": v}
                                     for i, v in reversed(list(enumerate(vectors)))],  # out of order on purpose
                            "usage": {"prompt_tokens": sum(len(t) for t in inputs)}}  # characters, like some servers
                data = json.dumps(body, allow_nan=True).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def main() -> None:
    """``python -m devkit.standin.provider --port 8766``: serve until killed."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--model", default="test-embed")
    ap.add_argument("--dims", type=int, default=64)
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    args = ap.parse_args()
    ProviderServer(model=args.model, dims=args.dims, port=args.port, latency=args.latency).httpd.serve_forever()


if __name__ == "__main__":
    main()
