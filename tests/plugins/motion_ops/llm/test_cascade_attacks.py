"""Reviewer's demonstration (wt/review, #2): a credential in an LLM backend's host reaches the task log."""
import logging

from devkit.standin.chat import ChatServer
from motion_ops.llm.backends import Backend
from motion_ops.llm.cascade import Cascade, TerminalError


def test_credentials_in_an_llm_backends_host_never_reach_the_log(real_motions, caplog):
    # the feed sends user:password@ as basic auth and never shows it; an LLM connection's host is used as
    # it is, and httpx logs every request's URL at INFO (what an Airflow task log shows)
    secret = "sk-proxy-password-123"
    caplog.set_level(logging.INFO)
    with ChatServer(model="primary-model", api_key="sk-test") as a:
        host = a.base_url.replace("http://", f"http://proxyuser:{secret}@")
        b = Backend.from_connection("motion_llm", host=host, password="sk-test", extra={"model": "openai:primary-model"})
        assert secret not in repr(b)
        try:
            Cascade([b], sleep=lambda s: None).summarize(real_motions["2023Z20125"])
        except TerminalError as exc:
            assert secret not in str(exc)
    assert secret not in caplog.text
