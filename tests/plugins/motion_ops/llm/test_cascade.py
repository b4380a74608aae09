"""The cascade against the stand-in chat server (OpenAI chat-completions format; Ollama's flavor),
through pydantic-ai: every fault of the issue."""
import pytest

from devkit.standin.chat import ChatServer
from motion_ops.llm.backends import Backend
from motion_ops.llm.cascade import Cascade, TerminalError


@pytest.fixture
def servers():
    with ChatServer(model="primary-model", api_key="sk-test") as a, ChatServer(model="local-model", flavor="ollama") as b:
        yield a, b


@pytest.fixture
def motion(real_motions):
    return real_motions["2023Z20125"]  # three requests


def backends(a, b=None, **kw):
    out = [Backend("motion_llm", "openai", "primary-model", a.base_url, "sk-test", **kw)]
    if b is not None:
        out.append(Backend("motion_llm_local", "ollama", "local-model", b.base_url))
    return out


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def test_a_motion_is_summarized_with_its_provenance(servers, motion):
    a, _ = servers
    out = Cascade(backends(a)).summarize(motion)
    assert out.ok and out.status == "llm" and out.backend == "motion_llm" and out.model == "primary-model"
    assert [r.clause for r in out.summary.requests] == [1, 2, 3]
    assert out.attempts == 1 and out.input_tokens > 100 and out.output_tokens > 10 and out.latency_ms >= 0
    assert a.calls[0].authorized and a.calls[0].model == "primary-model"


def test_the_ollama_flavor_serves_too(servers, motion):
    _, b = servers
    out = Cascade([Backend("local", "ollama", "local-model", b.base_url)]).summarize(motion)
    assert out.ok and out.model == "local-model" and b.calls[0].path == "/v1/chat/completions"


def test_429_with_retry_after_is_waited_out_and_counted(servers, motion):
    a, _ = servers
    a.add("status", status=429, retry_after=3, times=1)
    sleeps = Sleeps()
    out = Cascade(backends(a), sleep=sleeps).summarize(motion)
    assert out.ok and sleeps == [3.0] and out.attempts == 2


def test_a_retry_after_longer_than_the_longest_wait_fails_the_motion_for_now(servers, motion):
    a, _ = servers
    a.add("status", status=429, retry_after=600)
    out = Cascade(backends(a), max_wait=60, sleep=Sleeps()).summarize(motion)
    assert not out.ok and out.error_class == "rate_limited" and "next run" in out.error and out.attempts == 1


@pytest.mark.parametrize("fault", [dict(kind="status", status=500), dict(kind="malformed"),
                                   dict(kind="status", status=429, retry_after=1)])
def test_a_transient_failure_of_the_first_backend_falls_back_to_the_next(servers, motion, fault):
    a, b = servers
    a.add(fault.pop("kind"), times=1, **fault)
    out = Cascade(backends(a, b), sleep=Sleeps()).summarize(motion)
    assert out.ok and out.status == "fallback" and out.backend == "motion_llm_local" and out.model == "local-model"


def test_a_timeout_is_retried(servers, motion):
    a, _ = servers
    a.add("delay", seconds=1.5, times=1)
    out = Cascade(backends(a, timeout=0.3), sleep=Sleeps()).summarize(motion)
    assert out.ok and out.attempts == 2


def test_every_attempt_failing_fails_the_motion_with_its_class(servers, motion):
    a, _ = servers
    a.add("status", status=500)
    out = Cascade(backends(a), sleep=Sleeps()).summarize(motion)
    assert not out.ok and out.error_class == "unavailable" and out.attempts == 3 and "500" in out.error


def test_schema_invalid_output_is_re_asked_once_then_accepted(servers, motion):
    a, _ = servers
    a.add("invalid", times=1)
    out = Cascade(backends(a)).summarize(motion)
    assert out.ok and out.attempts == 2 and a.calls[1].retry


def test_an_unfaithful_answer_is_re_asked_with_the_reason(servers, motion):
    a, _ = servers
    a.add("unfaithful", times=1)
    out = Cascade(backends(a)).summarize(motion)
    assert out.ok and out.attempts == 2 and "2097" not in out.summary.summary_nl
    reask = str(a.calls[1].messages)
    assert "niet trouw" in reask and "2097" in reask  # the reason names what was wrong


def test_an_answer_unfaithful_twice_fails_and_gives_no_summary(servers, motion):
    a, _ = servers
    a.add("unfaithful")
    out = Cascade(backends(a)).summarize(motion)
    assert not out.ok and out.summary is None and out.error_class == "invalid_output" and out.attempts == 2
    assert out.input_tokens > 0  # the refused answers' tokens count too


def test_an_answer_from_another_model_is_recorded_as_that_model(servers, motion):
    a, _ = servers
    a.add("other_model", model="gpt-cheaper", times=1)
    out = Cascade(backends(a)).summarize(motion)
    assert out.ok and out.model == "gpt-cheaper" and out.substituted and out.backend == "motion_llm"


@pytest.mark.parametrize("fault,match", [(dict(kind="status", status=401), "Authentication"),
                                         (dict(kind="status", status=403), "403|Authentication|Permission"),
                                         (dict(kind="quota"), "Quota"), (dict(kind="unknown_model"), "NotFound")])
def test_terminal_errors_stop_at_once_without_falling_back_or_retrying(servers, motion, fault, match):
    a, b = servers
    a.add(fault.pop("kind"), **fault)
    with pytest.raises(TerminalError, match=match):
        Cascade(backends(a, b), sleep=Sleeps()).summarize(motion)
    assert len(a.calls) == 1 and b.calls == []


def test_a_wrong_api_key_is_terminal(servers, motion):
    a, _ = servers
    with pytest.raises(TerminalError, match="Authentication"):
        Cascade([Backend("motion_llm", "openai", "primary-model", a.base_url, "sk-wrong")]).summarize(motion)


def test_the_rate_limit_spaces_requests(servers, real_motions):
    a, _ = servers
    cascade = Cascade(backends(a, min_request_interval=0.5))
    for m in list(real_motions.values())[:3]:
        assert cascade.summarize(m).ok
    gaps = [y.at - x.at for x, y in zip(a.calls, a.calls[1:])]
    # measured where the requests arrive, so a busy machine's scheduling shifts each by some ms (without the
    # limit they come milliseconds apart)
    assert len(gaps) == 2 and min(gaps) >= 0.4, gaps


def test_a_motion_too_long_for_every_context_window_fails_or_gets_the_extractive_summary(servers, motion):
    a, _ = servers
    tiny = backends(a, context_window=600)
    assert Cascade(tiny).summarize(motion).error_class == "too_long"
    out = Cascade(tiny, extractive_fallback=True).summarize(motion)
    assert out.ok and out.status == "extractive" and out.backend == "extractive" and a.calls == []


def test_without_backends_the_extractive_summarizer_answers(motion):
    out = Cascade([]).summarize(motion)
    assert out.status == "extractive" and out.model == "extractive" and out.attempts == 0


def test_an_api_key_echoed_in_an_error_never_reaches_the_error_text(servers, motion):
    a, _ = servers
    a.add("echo_auth", status=500)
    out = Cascade(backends(a, max_attempts=1)).summarize(motion)
    assert not out.ok and "upstream refused" in out.error and "sk-test" not in out.error


@pytest.mark.parametrize("answered,substituted", [("primary-model", False), ("primary-model-2024-07-18", False),
                                                  ("primary-model:latest", False), ("primary-model-mini", True),
                                                  ("primary-model:70b", True)])
def test_only_a_snapshot_or_the_default_tag_of_the_model_asked_for_is_the_same_model(servers, motion, answered, substituted):
    a, _ = servers
    a.add("other_model", model=answered)
    assert Cascade(backends(a)).summarize(motion).substituted is substituted


def test_a_backend_that_cannot_be_built_is_a_terminal_configuration_error(motion):
    def broken(backend):
        raise ValueError("No model specified for connection 'motion_llm'")

    with pytest.raises(TerminalError, match="bad configuration of motion_llm"):
        Cascade([Backend("motion_llm", "openai", "x", "http://127.0.0.1:9/v1")], model_factory=broken).summarize(motion)


def test_a_bug_in_our_own_code_is_not_taken_for_a_backend_failure(servers, motion, monkeypatch):
    import motion_ops.llm.cascade as cascade_module

    a, _ = servers

    def bug(*args):
        raise KeyError("a bug")

    monkeypatch.setattr(cascade_module, "problems", bug)
    with pytest.raises(KeyError):
        Cascade(backends(a), sleep=Sleeps()).summarize(motion)
    assert len(a.calls) == 1  # not retried, not fallen back on


def test_a_terminal_error_chains_nothing_that_carries_the_api_key(servers, motion):
    import traceback

    a, _ = servers
    a.add("echo_auth", status=401)  # the 401 body repeats "Bearer sk-test"
    with pytest.raises(TerminalError) as caught:
        Cascade(backends(a)).summarize(motion)
    printed = "".join(traceback.format_exception(caught.value))  # what Airflow prints, the chain included
    assert "upstream refused" in printed and "sk-test" not in printed
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_an_answer_trickling_past_the_deadline_fails_the_motion_within_it_as_a_timeout(servers, motion):
    import time

    a, _ = servers
    a.add("trickle", seconds=0.05)  # 8 bytes every 0.05 s: each read is quick, the ~3 kB answer takes ~20 s
    started = time.monotonic()
    out = Cascade(backends(a, timeout=1.0, deadline=1.5, max_attempts=1), sleep=Sleeps()).summarize(motion)
    took = time.monotonic() - started
    assert not out.ok and out.error_class == "timeout" and "deadline" in out.error
    assert took < 1.5 + 1.0, took


def test_the_deadline_defaults_to_twice_the_timeout_and_must_be_positive():
    from motion_ops.llm.backends import BadConfiguration

    b = Backend.from_connection("c", host=None, password=None, extra={"model": "openai:m", "timeout": 20})
    assert b.deadline == 40.0
    b = Backend.from_connection("c", host=None, password=None, extra={"model": "openai:m", "deadline": 7})
    assert b.deadline == 7.0
    with pytest.raises(BadConfiguration, match="deadline"):
        Backend.from_connection("c", host=None, password=None, extra={"model": "openai:m", "deadline": 0})


@pytest.mark.parametrize("case", ["injection", "inversion"])
def test_a_real_models_injected_or_inverted_summary_is_refused_and_kept_with_its_reasons(servers, case):
    from motion_ops.llm.faithfulness import Semantic
    from motion_ops.llm.prompt import MotionText
    from tests.plugins.motion_ops.llm.test_faithfulness import INJECTED, INVERTED, MINIMUMLOON, OBEYED

    a, _ = servers
    text, bad = (INJECTED, OBEYED) if case == "injection" else (MINIMUMLOON, INVERTED)
    m = MotionText("x", "2024Z08787", "Motie over het minimumloon of maatwerk bij NV-gebieden", text)
    a.add("answer", fields=bad)  # the model answers the same both times
    out = Cascade(backends(a), semantic=Semantic.hashing()).summarize(m)
    assert not out.ok and out.error_class == "invalid_output" and out.attempts == 2
    assert out.rejected is not None and out.rejected.summary_nl == bad["summary_nl"] and out.reasons
    assert "unfaithful" in out.error
    assert "<motie>" in a.calls[0].prompt and "</motie>" in a.calls[0].prompt  # the text went in as data


def test_a_motion_is_bounded_by_its_own_deadline_across_attempts_and_fallbacks(real_motions):
    import time

    with ChatServer(model="primary-model", api_key="sk-test") as a, ChatServer(model="local-model", flavor="ollama") as b:
        a.add("trickle", seconds=0.05)
        b.add("trickle", seconds=0.05)  # two trickling backends, 3 attempts each: 6 x 1.5 s without a motion deadline
        chain = [Backend("motion_llm", "openai", "primary-model", a.base_url, "sk-test", timeout=1.0, deadline=1.5,
                         motion_deadline=2.5),
                 Backend("motion_llm_local", "ollama", "local-model", b.base_url, timeout=1.0, deadline=1.5)]
        started = time.monotonic()
        out = Cascade(chain, sleep=Sleeps()).summarize(real_motions["2023Z20125"])
        took = time.monotonic() - started
    assert not out.ok and out.error_class == "timeout" and "motion's deadline of 2.5s" in out.error
    assert took < 2.5 + 1.0, took


def test_the_motion_deadline_defaults_to_three_request_deadlines_and_must_be_positive():
    from motion_ops.llm.backends import BadConfiguration

    assert Backend.from_connection("c", host=None, password=None, extra={"model": "openai:m", "deadline": 7}).motion_deadline == 21
    assert Backend.from_connection("c", host=None, password=None,
                                   extra={"model": "openai:m", "motion_deadline": 30}).motion_deadline == 30
    with pytest.raises(BadConfiguration, match="motion_deadline"):
        Backend.from_connection("c", host=None, password=None, extra={"model": "openai:m", "motion_deadline": 0})
