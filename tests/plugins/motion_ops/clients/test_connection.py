from types import SimpleNamespace

import pytest

from motion_ops.clients.connection import base_url, extra_number
from motion_ops.clients.feed import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, FeedConfig
from motion_ops.clients.providers import DEFAULT_RETRY_ATTEMPTS, ProviderConfig


def conn(host=None, port=None, schema=None, password=None, conn_type="generic", **extra):
    return SimpleNamespace(host=host, port=port, schema=schema, login=None, password=password, conn_type=conn_type,
                           extra_dejson=extra)


@pytest.mark.parametrize("c,default,expected", [
    (conn("https://h.example/"), "http", "https://h.example"),
    (conn("h.example", 8080), "http", "http://h.example:8080"),
    (conn("h.example", schema="https"), "http", "https://h.example"),
    (conn("h.example", scheme="https"), "http", "https://h.example"),
])
def test_a_base_url_from_host_port_and_scheme(c, default, expected):
    assert base_url(c, default_scheme=default) == expected


def test_a_connection_without_host_is_an_error():
    with pytest.raises(ValueError, match="no host"):
        base_url(conn(), default_scheme="https")


def test_defaults_live_in_the_configs_and_aliases_are_accepted():
    feed = FeedConfig.from_connection(conn("https://tk.example"))
    assert (feed.timeout, feed.max_bytes) == (DEFAULT_TIMEOUT, DEFAULT_MAX_BYTES)
    cfg = ProviderConfig.from_connection(conn())
    assert (cfg.kind, cfg.base_url, cfg.retry_attempts) == ("hashing", None, DEFAULT_RETRY_ATTEMPTS)
    assert ProviderConfig.from_connection(conn("o:11434", conn_type="ollama", model="m")).kind == "ollama"
    assert ProviderConfig.from_connection(conn(max_inputs_per_request=8, batch_size=99)).max_inputs_per_request == 8
    assert extra_number({"a": ""}, "a", default=3) == 3


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "nan", "Infinity", "-inf"])
def test_a_connection_extra_that_is_not_a_finite_number_is_a_clear_error(value):
    with pytest.raises(ValueError, match="connection extra 'timeout' must be a finite number"):
        extra_number({"timeout": value}, "timeout", default=30.0)
    with pytest.raises(ValueError, match="'price_input_per_1k' must be a finite number"):
        ProviderConfig.from_connection(conn(price_input_per_1k=value))
    with pytest.raises(ValueError, match="'timeout' must be a finite number"):
        FeedConfig.from_connection(conn("https://tk.example", timeout=value))
    with pytest.raises(ValueError, match="'retry_attempts' must be a finite number"):
        extra_number({"retry_attempts": value}, "retry_attempts", default=3, kind=int)
