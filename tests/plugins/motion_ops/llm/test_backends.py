import pytest

from motion_ops.llm.backends import Backend, BadConfiguration, chain_key, estimated_tokens, route


def test_a_pydanticai_connection_becomes_a_backend():
    b = Backend.from_connection("motion_llm", host="http://127.0.0.1:9/v1", password="sk-x",
                                extra={"model": "openai:gpt-4o-mini", "context_window": 128000, "timeout": 30,
                                       "price_input_per_1k": 0.00015})
    assert (b.kind, b.model, b.context_window, b.timeout, b.api_key) == ("openai", "gpt-4o-mini", 128000, 30.0, "sk-x")
    assert "sk-x" not in repr(b)


@pytest.mark.parametrize("extra,host", [({"model": "gpt-4o"}, None), ({"model": "anthropic:claude"}, None),
                                        ({"model": "ollama:llama3"}, None), ({"model": "openai:x", "timeout": "slow"}, None),
                                        ({"model": "openai:x", "context_window": -1}, None)])
def test_a_connection_that_cannot_be_used_is_a_clear_error(extra, host):
    with pytest.raises(BadConfiguration, match="connection 'motion_llm'"):
        Backend.from_connection("motion_llm", host=host, password=None, extra=extra)


def test_the_router_skips_a_backend_whose_context_window_is_too_small(real_motions):
    small = Backend("local", "ollama", "llama3.2", "http://x/v1", context_window=2048, max_output_tokens=512)
    big = Backend("cloud", "openai", "gpt-4o-mini", context_window=128000)
    short, long_ = min(real_motions.values(), key=lambda m: len(m.body_text)), max(real_motions.values(), key=lambda m: len(m.body_text))
    need_short, need_long = estimated_tokens(short), estimated_tokens(long_)
    assert need_short < need_long
    small = Backend("local", "ollama", "llama3.2", "http://x/v1", context_window=need_short + 512 + 1, max_output_tokens=512)
    assert [b.name for b in route([small, big], short)] == ["local", "cloud"]
    assert [b.name for b in route([small, big], long_)] == ["cloud"]
    assert route([small], long_) == []
    assert chain_key([small, big]) == "ollama:llama3.2 > openai:gpt-4o-mini" and chain_key([]) == "extractive"


@pytest.mark.parametrize("key", ["price_input_per_1k", "price_output_per_1k", "timeout", "min_request_interval",
                                 "context_window", "max_attempts"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), "nan", "inf"])
def test_nan_or_infinity_in_a_backends_extras_is_a_clear_error(key, value):
    with pytest.raises(BadConfiguration, match=f"connection 'motion_llm': extra '{key}' must be a finite number"):
        Backend.from_connection("motion_llm", host=None, password=None, extra={"model": "openai:x", key: value})


def test_the_router_estimates_a_request_with_the_one_token_estimate(real_motions):
    from motion_ops.llm.prompt import INSTRUCTIONS, user_prompt
    from motion_ops.numerics.tokens import token_estimate

    for m in real_motions.values():
        chars = len(INSTRUCTIONS) + len(user_prompt(m)) + 2500  # 2500: the JSON schema
        assert estimated_tokens(m) == token_estimate(chars)


def test_a_connection_without_extras_gets_the_backends_own_defaults():
    from dataclasses import fields

    b = Backend.from_connection("motion_llm", host=None, password=None, extra={"model": "openai:m"})
    plain = Backend("motion_llm", "openai", "m")
    assert b == plain
    assert {f.name: getattr(b, f.name) for f in fields(Backend)} == {
        "name": "motion_llm", "kind": "openai", "model": "m", "base_url": None, "api_key": None, "context_window": 8192,
        "max_output_tokens": 1024, "timeout": 60.0, "deadline": 120.0, "motion_deadline": 360.0, "min_request_interval": 0.0, "max_attempts": 3,
        "price_input_per_1k": 0.0, "price_output_per_1k": 0.0}
    assert Backend.from_connection("c", host=None, password=None, extra={"model": "openai:m", "timeout": 7}).deadline == 14.0


def test_a_key_in_the_hosts_userinfo_is_the_api_key_and_never_part_of_the_url():
    from motion_ops.llm.backends import Backend

    b = Backend.from_connection("c", host="https://proxyuser:sk-in-host@llm.example/v1", password=None,
                                extra={"model": "openai:m"})
    assert b.base_url == "https://llm.example/v1" and b.api_key == "sk-in-host" and "sk-in-host" not in repr(b)
    b = Backend.from_connection("c", host="https://u:other@llm.example/v1", password="sk-own", extra={"model": "openai:m"})
    assert b.base_url == "https://llm.example/v1" and b.api_key == "sk-own"
