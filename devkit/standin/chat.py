"""A local chat server for tests, benchmarks and demos of the summaries, with injectable faults.

Speaks OpenAI's ``POST /v1/chat/completions`` (also at ``/chat/completions``), which is also what
Ollama serves at ``http://host:11434/v1`` (``flavor="ollama"`` answers as Ollama does: its
``system_fingerprint``, its error shape, and a 404 text for an unknown model), and ``GET /v1/models``.
It plays a model that follows the prompt of :mod:`motion_ops.llm.prompt`: it reads the numbered
request clauses and answers a JSON summary that covers each in simpler words. Faults, as rules:
``status`` (e.g. 429 with ``Retry-After``, 500, 401), ``delay`` (timeouts), ``malformed`` (a body
that is not JSON), ``invalid`` (JSON that breaks the schema), ``unfaithful`` (a year not in the
text), ``other_model`` (the answer names another model), ``quota`` (429 ``insufficient_quota``),
``unknown_model`` (404 ``model_not_found``), ``echo_auth`` (an error repeating the Authorization header),
``trickle`` (a valid answer sent a few bytes every ``seconds``: no single read is slow, the whole
answer is), ``answer`` (a scripted answer: ``fields`` replace those of the usual one, e.g. a real
model's unfaithful wording). ``latency`` is added to every answer (benchmarks).
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from devkit.standin._http import BackgroundHTTPServer, FaultRules, StandinHandler


@dataclass
class Rule:
    """``marker``: only prompts containing it; ``times``: how many matching requests (-1 = all)."""

    kind: str
    status: int = 500
    marker: str | None = None
    times: int = -1
    retry_after: float | None = None
    seconds: float = 0.0
    model: str = "another-model"
    fields: dict | None = None  # kind "answer": what replaces the usual answer's fields


@dataclass
class Call:
    path: str
    model: str
    prompt: str
    authorized: bool
    retry: bool  # the request carries a re-ask (a previous answer was refused)
    messages: list
    at: float  # time.monotonic() when it arrived


_CLAUSE = re.compile(r"^(\d+)\. (.+)$", re.M)
_LEAD = re.compile(r"^(?:en\s+)?(?:verzoekt|roept|draagt|vraagt|dringt|nodigt)\s+(?:de|het)\s+(regering|kabinet|minister|staatssecretaris)"
                   r"(?:\s+van\s+[^,]+?)?\s*,?\s*(?:op\s+)?", re.I)


def answer_for(prompt: str) -> dict[str, Any]:
    """What this 'model' answers for a prompt: each clause in shorter words, a plain summary."""
    clauses = [(int(n), text) for n, text in _CLAUSE.findall(prompt.split("Verzoeken", 1)[-1])]
    requests, asks = [], []
    for n, text in clauses:
        m = _LEAD.match(text)
        who = m.group(1).lower() if m else ("kamer" if re.match(r"^(?:en\s+)?(?:spreekt|besluit)", text, re.I) else "anders")
        rest = text[m.end():] if m else text
        ask = " ".join(rest.split()[:24]).rstrip(",;.")
        requests.append({"clause": n, "ask": ask or text[:200], "addressee": who})
        asks.append(ask)
    title = next((line for line in prompt.splitlines() if line.startswith("Motie")), "").split(":", 1)[-1].strip()
    if asks:
        nl = f"In gewone taal: de Kamer wil dat de {requests[0]['addressee']} dit doet: {asks[0]}."
    else:
        nl = f"In gewone taal: de Kamer zegt iets over {title[:200]}."
    return {"summary_nl": nl[:690], "summary_en": "In plain words: the House asks for action on the points listed.",
            "requests": requests, "topics": [], "inferred": ["addressee"]}


class ChatServer(FaultRules, BackgroundHTTPServer):
    """Serve chat completions on 127.0.0.1:``port`` as model ``model``."""

    thread_name = "chat"
    rule_class = Rule

    def __init__(self, *, model: str = "standin-chat", port: int = 0, latency: float = 0.0, flavor: str = "openai",
                 api_key: str | None = None):
        self.model, self.latency, self.flavor, self.api_key = model, latency, flavor, api_key
        self._init_rules()
        self._serve("127.0.0.1", port, self._handler())

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(StandinHandler):
            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _trickle(self, body: bytes, every: float) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for i in range(0, len(body), 8):
                        self.wfile.write(body[i:i + 8])
                        self.wfile.flush()
                        time.sleep(every)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: what it should do
                    self.close_connection = True

            def _error(self, status: int, message: str, code: str | None = None, headers: dict | None = None) -> None:
                if server.flavor == "ollama":
                    body = {"error": {"message": message, "type": "api_error", "param": None, "code": code}}
                else:
                    body = {"error": {"message": message, "type": "invalid_request_error" if status < 500 else "server_error",
                                      "param": None, "code": code}}
                self._send(status, json.dumps(body).encode(), headers)

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                if self.path.rstrip("/") in ("/v1/models", "/models"):
                    self._send(200, json.dumps({"object": "list", "data": [{"id": server.model, "object": "model"}]}).encode())
                else:
                    self._error(404, "not found")

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                    return self._error(404, f"no route {self.path}")
                try:
                    req = json.loads(raw)
                    messages = req["messages"]
                except (ValueError, KeyError, TypeError):
                    return self._error(400, "the body is not a chat completion request")
                users = [m for m in messages if m.get("role") == "user"]
                prompt = "\n".join(str(m.get("content")) if isinstance(m.get("content"), str) else json.dumps(m.get("content"))
                                   for m in users[:1])
                authorized = not server.api_key or self.headers.get("Authorization") == f"Bearer {server.api_key}"
                with server.lock:
                    server.calls.append(Call(self.path, str(req.get("model")), prompt, authorized, retry=len(users) > 1
                                             or any(m.get("role") == "tool" for m in messages), messages=messages,
                                             at=time.monotonic()))
                if server.latency:
                    time.sleep(server.latency)
                if not authorized:
                    return self._error(401, "Incorrect API key provided", "invalid_api_key")
                if req.get("model") != server.model:
                    if server.flavor == "ollama":
                        return self._error(404, f"model \"{req.get('model')}\" not found, try pulling it first", "model_not_found")
                    return self._error(404, f"The model `{req.get('model')}` does not exist", "model_not_found")
                served = server.model
                answer = answer_for(prompt)
                trickle = None
                for rule in server._take([prompt]):
                    if rule.kind == "delay":
                        time.sleep(rule.seconds)
                    elif rule.kind == "status":
                        headers = {"Retry-After": f"{rule.retry_after:g}"} if rule.retry_after is not None else None
                        return self._error(rule.status, "injected failure", None, headers)
                    elif rule.kind == "echo_auth":  # as some servers do: the credentials in the error text
                        return self._error(rule.status, f"upstream refused the request with {self.headers.get('Authorization')}")
                    elif rule.kind == "quota":
                        return self._error(429, "You exceeded your current quota, please check your plan and billing details.",
                                           "insufficient_quota")
                    elif rule.kind == "unknown_model":
                        return self._error(404, "The model does not exist", "model_not_found")
                    elif rule.kind == "malformed":
                        return self._send(200, b'{"id": "chatcmpl-x", "choices": [{"message": ')
                    elif rule.kind == "invalid":
                        answer = {"summary": "no such field", "requests": "not a list"}
                    elif rule.kind == "unfaithful":
                        answer["summary_nl"] = answer["summary_nl"].rstrip(".") + ", uiterlijk in 2097."
                    elif rule.kind == "other_model":
                        served = rule.model
                    elif rule.kind == "answer":
                        answer.update(rule.fields or {})
                    elif rule.kind == "trickle":
                        trickle = rule.seconds
                content = json.dumps(answer, ensure_ascii=False)
                prompt_chars = sum(len(json.dumps(m.get("content"))) for m in messages)
                body = {"id": f"chatcmpl-{len(server.calls)}", "object": "chat.completion", "created": int(time.time()),
                        "model": served,
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": content}}],
                        "usage": {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(content) // 4,
                                  "total_tokens": prompt_chars // 4 + len(content) // 4}}
                if server.flavor == "ollama":
                    body["system_fingerprint"] = "fp_ollama"
                if trickle is not None:
                    return self._trickle(json.dumps(body, ensure_ascii=False).encode(), trickle)
                self._send(200, json.dumps(body, ensure_ascii=False).encode())

        return Handler
