import datetime as dt

import pytest

from motion_ops.params import ENRICHMENT, SUMMARIES, defaults
from motion_ops.run import TIMEZONE, RunParams, run_window

DEFAULTS = defaults(ENRICHMENT)  # what a run gets when nobody sets a param


def test_params_are_typed_and_unknown_conf_keys_are_reported():
    params, unknown = RunParams.from_mapping({**DEFAULTS, "batch_size": "16", "since": "2025-01-01", "bach_size": 8})
    assert params.batch_size == 16 and params.since == dt.date(2025, 1, 1) and params.until is None
    assert unknown == ["bach_size"]


@pytest.mark.parametrize("change,message", [
    ({"since": "2025-02-01", "until": "2025-01-01"}, "must be before 'until'"),
    ({"since": "2025-01-01", "until": "2025-01-01"}, "must be before 'until'"),
    ({"since": "first of may"}, "must be a date"),
    ({"top_n": "many"}, "'top_n' must be a number, got 'many'"),
    ({"top_n": None}, "'top_n' must not be empty"),
    ({"dry_run": "yes"}, "true or false"),
])
def test_a_bad_param_is_a_clear_error(change, message):
    with pytest.raises(ValueError, match=message):
        RunParams.from_mapping({**DEFAULTS, **change})


def test_a_missing_param_is_named():
    with pytest.raises(ValueError, match="'keep_versions' is missing"):
        RunParams.from_mapping({k: v for k, v in DEFAULTS.items() if k != "keep_versions"})


def test_a_backfill_run_embeds_its_data_interval_as_amsterdam_days():
    params, _ = RunParams.from_mapping(DEFAULTS)
    start = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.timezone.utc)  # 03:00 in Amsterdam (winter time)
    window = run_window(params, run_type="backfill", interval_start=start, interval_end=start + dt.timedelta(days=1))
    assert TIMEZONE == "Europe/Amsterdam" and window == (dt.date(2025, 3, 1), dt.date(2025, 3, 2))
    late = dt.datetime(2025, 3, 1, 23, 30, tzinfo=dt.timezone.utc)  # already 2 March in Amsterdam
    assert run_window(params, run_type="backfill", interval_start=late, interval_end=late)[0] == dt.date(2025, 3, 2)
    assert run_window(params, run_type="scheduled", interval_start=start, interval_end=start) == (None, None)
    windowed, _ = RunParams.from_mapping({**DEFAULTS, "since": "2024-05-01"})
    assert run_window(windowed, run_type="backfill", interval_start=start, interval_end=start) == (dt.date(2024, 5, 1), None)


@pytest.mark.parametrize("change,message", [
    ({"max_cost": float("nan")}, "'max_cost' must be a finite number"),
    ({"max_cost": "NaN"}, "'max_cost' must be a finite number"),
    ({"approval_timeout_hours": float("inf")}, "'approval_timeout_hours' must be a finite number"),
    ({"text_weight": float("-inf")}, "'text_weight' must be a finite number"),
    ({"max_tokens": float("inf")}, "'max_tokens' must be a finite number"),
    ({"batch_size": "nan"}, "'batch_size' must be a finite number"),
])
def test_nan_and_infinity_are_not_numbers_a_run_accepts(change, message):
    with pytest.raises(ValueError, match=message):
        RunParams.from_mapping({**DEFAULTS, **change})


def test_a_summaries_run_refuses_a_nan_budget():
    from motion_ops.run import SummaryParams

    ok = {**defaults(SUMMARIES), "max_cost": 1.5}
    assert SummaryParams.from_mapping(ok)[0].max_cost == 1.5
    with pytest.raises(ValueError, match="'max_cost' must be a finite number"):
        SummaryParams.from_mapping({**ok, "max_cost": float("nan")})


@pytest.mark.parametrize("value", ["inf", "nan", "-Infinity"])
def test_a_task_timeout_from_the_environment_must_be_finite(monkeypatch, value):
    from motion_ops.run import task_timeout

    monkeypatch.setenv("MOTION_OPS_TIMEOUT_SUMMARIZE", "90")
    assert task_timeout("summarize", 60) == dt.timedelta(minutes=90)
    monkeypatch.setenv("MOTION_OPS_TIMEOUT_SUMMARIZE", value)
    with pytest.raises(ValueError, match="MOTION_OPS_TIMEOUT_SUMMARIZE must be a finite number"):
        task_timeout("summarize", 60)


def test_a_task_timeout_or_retry_delay_from_the_environment_out_of_its_bounds_is_a_clear_error(monkeypatch):
    """0 minutes took the timeout away (Airflow reads a zero timedelta as none), a negative one timed
    every try out at once, 1e15 overflowed a timedelta; the retry delay took 'abc' as int()'s own
    error and a negative delay silently."""
    from motion_ops.run import default_args, task_timeout

    for value in ("0", "-5", "1e15"):
        monkeypatch.setenv("MOTION_OPS_TIMEOUT_SUMMARIZE", value)
        with pytest.raises(ValueError, match="MOTION_OPS_TIMEOUT_SUMMARIZE must be above 0 and at most 10080 minutes"):
            task_timeout("summarize", 60)
    monkeypatch.setenv("MOTION_OPS_TIMEOUT_SUMMARIZE", "10080")  # a week
    assert task_timeout("summarize", 60) == dt.timedelta(days=7)
    monkeypatch.delenv("MOTION_OPS_TIMEOUT_SUMMARIZE")
    assert task_timeout("summarize", 60) == dt.timedelta(hours=1)
    for value, message in (("abc", "must be a number"), ("nan", "must be a finite number"), ("-1", "must be from 0"),
                           ("1e15", "must be from 0")):
        monkeypatch.setenv("MOTION_OPS_RETRY_DELAY_SECONDS", value)
        with pytest.raises(ValueError, match=f"MOTION_OPS_RETRY_DELAY_SECONDS {message}"):
            default_args()
    for value, delay in (("0", 0), ("5", 5), ("", 30)):
        monkeypatch.setenv("MOTION_OPS_RETRY_DELAY_SECONDS", value)
        assert default_args()["retry_delay"] == dt.timedelta(seconds=delay)


def test_a_finite_but_absurd_approval_wait_or_duration_is_refused_clearly_not_by_an_overflow():
    """Found by attacking the NaN fix: 1e15 hours passed the schema and then overflowed a timedelta;
    a 1e10 s timeout passed the extras and then overflowed the socket call; JSON true was taken as 1."""
    from airflow.sdk.definitions.param import ParamsDict

    from motion_ops.clients.connection import extra_number
    from motion_ops.numerics.finite import finite
    from motion_ops.params import MAX_APPROVAL_HOURS, approval_hours, number_param

    with pytest.raises(ValueError, match="at most"):
        approval_hours(1e15)
    assert approval_hours(MAX_APPROVAL_HOURS) == MAX_APPROVAL_HOURS
    from airflow.sdk import Param

    params = ParamsDict({"h": Param(24, **number_param(exclusive_minimum=0, maximum=MAX_APPROVAL_HOURS))})
    with pytest.raises(Exception, match="maximum"):
        params["h"] = 1e15
    for name in ("timeout", "deadline", "retry_backoff"):
        with pytest.raises(ValueError, match="one day"):
            extra_number({name: "1e10"}, name, default=1.0)
        assert extra_number({name: 30}, name, default=1.0) == 30
    with pytest.raises(ValueError, match="must be a number"):
        finite(True, "x")
