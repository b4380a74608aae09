import datetime as dt

import pytest

from motion_ops.run import TIMEZONE, RunParams, run_window

DEFAULTS = {"batch_size": 64, "max_batches": None, "top_n": 10, "text_weight": 0.7, "vote_weight": 0.1, "dossier_weight": 0.1,
            "debate_weight": 0.05, "submitter_weight": 0.05, "min_common_parties": 5, "min_score": 0.0,
            "incremental_threshold": 0.05, "qa_sample_size": 50, "qa_enforce": True, "qa_min_coverage": 0.95,
            "qa_max_score_shift": 0.15, "qa_min_relevance": 0.1, "qa_reports_dir": None, "dry_run": False,
            "since": None, "until": None, "max_pages": None, "max_body_workers": 10, "body_max_failures": 5,
            "embed_max_failures": 3, "max_failure_ratio": 0.05, "keep_versions": 3, "max_tokens": None,
            "max_cost": None, "pilot_size": 20, "approval_timeout_hours": 24.0}


def test_params_are_typed_and_unknown_conf_keys_are_reported():
    params, unknown = RunParams.from_mapping({**DEFAULTS, "batch_size": "16", "since": "2025-01-01", "bach_size": 8})
    assert params.batch_size == 16 and params.since == dt.date(2025, 1, 1) and params.until is None
    assert unknown == ["bach_size"]


@pytest.mark.parametrize("change,message", [
    ({"since": "2025-02-01", "until": "2025-01-01"}, "must be before 'until'"),
    ({"since": "2025-01-01", "until": "2025-01-01"}, "must be before 'until'"),
    ({"since": "first of may"}, "must be a date"),
    ({"top_n": "many"}, "'top_n' has an invalid value"),
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
