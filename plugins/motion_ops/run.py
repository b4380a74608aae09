"""What a DAG run hands its tasks: where they run, the run's params (typed), its date window.

Pure (no Airflow import): the operators build these from the task context, tests build them directly.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from motion_ops.numerics.finite import LARGEST, env_number, finite

#: The timezone of the nightly schedule and of a backfill run's date window.
TIMEZONE = "Europe/Amsterdam"


def task_timeout(task_id: str, minutes: float) -> dt.timedelta:
    """A task's execution_timeout: ``minutes``, or ``MOTION_OPS_TIMEOUT_<TASK_ID>`` (minutes) if set."""
    return dt.timedelta(minutes=env_number(f"MOTION_OPS_TIMEOUT_{task_id.upper()}", minutes))


#: the longest a pilot's approval may wait (hours): a year; more is a mistake (and beyond what a timedelta holds)
MAX_APPROVAL_HOURS = 24 * 366


def approval_hours(value: Any, what: str = "param 'approval_timeout_hours'") -> float:
    """Hours to wait for a pilot's approval: a finite number above 0 and at most :data:`MAX_APPROVAL_HOURS`.

    :raises ValueError: anything else.
    """
    hours = finite(value, what)
    if not 0 < hours <= MAX_APPROVAL_HOURS:
        raise ValueError(f"{what} must be above 0 and at most {MAX_APPROVAL_HOURS} hours, got {value!r}")
    return hours


def number_param(*, minimum: float | None = None, maximum: float | None = None,
                 exclusive_minimum: float | None = None, nullable: bool = False) -> dict[str, Any]:
    """The JSON schema of a number param (a DAG's ``Param(default, **number_param(...), ...)``) that
    takes only finite numbers within its bounds. Plain bounds let NaN through (it compares false with
    everything) and a missing bound lets an infinity through: the largest float bounds both ways,
    and ``not`` rejects NaN, which alone is both above and below 0. So the trigger form and the REST
    API refuse them (400/422) before the run exists."""
    schema: dict[str, Any] = {"type": ["number", "null"] if nullable else "number",
                              "minimum": -LARGEST if minimum is None else minimum,
                              "maximum": LARGEST if maximum is None else maximum,
                              "not": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0}}
    if exclusive_minimum is not None:
        schema["exclusiveMinimum"] = exclusive_minimum
    return schema


@dataclass(frozen=True)
class RunContext:
    """Where an event happened: the Airflow run and task (empty outside Airflow)."""

    dag_id: str | None = None
    run_id: str | None = None
    task_id: str | None = None
    map_index: int | None = None

    @classmethod
    def of(cls, ti: Any) -> "RunContext":
        """Where an Airflow task instance runs (``map_index`` None when it is not mapped)."""
        idx = getattr(ti, "map_index", -1)
        return cls(dag_id=ti.dag_id, run_id=ti.run_id, task_id=ti.task_id,
                   map_index=None if idx is None or idx < 0 else idx)


def _date(name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"param {name!r} must be a date (YYYY-MM-DD), got {value!r}") from None


class _Params:
    """Typed params of a DAG run, read from its params mapping (:meth:`from_mapping`)."""

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> tuple[Any, list[str]]:
        """The typed params and the keys that are not params (misspelled conf keys, to warn about).

        :raises ValueError: a missing param, a value of the wrong type, ``since`` not before ``until``.
        """
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name not in params:
                raise ValueError(f"param {f.name!r} is missing")
            value = params[f.name]
            kind = str(f.type)
            try:
                if f.name in ("since", "until"):
                    value = _date(f.name, value)
                elif value is None:
                    if "None" not in kind:
                        raise ValueError(f"param {f.name!r} must not be empty")
                elif kind.startswith("bool"):
                    if not isinstance(value, bool):
                        raise ValueError(f"param {f.name!r} must be true or false, got {value!r}")
                elif kind.startswith("int"):
                    value = finite(value, f"param {f.name!r}", kind=int)
                elif kind.startswith("float"):
                    value = finite(value, f"param {f.name!r}")
                else:
                    value = str(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(str(exc) if str(exc).startswith("param") else
                                 f"param {f.name!r} has an invalid value {params[f.name]!r}") from None
            values[f.name] = value
        if values.get("since") and values.get("until") and values["since"] >= values["until"]:
            raise ValueError(f"param 'since' ({values['since']}) must be before 'until' ({values['until']})")
        known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**values), sorted(k for k in params if k not in known)


@dataclass(frozen=True)
class RunParams(_Params):
    """The params of one ``motion_enrichment`` run (their defaults and descriptions are the DAG's)."""

    batch_size: int
    max_batches: int | None
    top_n: int
    text_weight: float
    vote_weight: float
    dossier_weight: float
    debate_weight: float
    submitter_weight: float
    min_common_parties: int
    min_score: float
    incremental_threshold: float
    qa_sample_size: int
    qa_enforce: bool
    qa_min_coverage: float
    qa_max_score_shift: float
    qa_min_relevance: float
    qa_reports_dir: str | None
    dry_run: bool
    since: dt.date | None
    until: dt.date | None
    max_pages: int | None
    max_body_workers: int
    body_max_failures: int
    embed_max_failures: int
    max_failure_ratio: float
    keep_versions: int
    max_tokens: int | None
    max_cost: float | None
    pilot_size: int
    approval_timeout_hours: float


@dataclass(frozen=True)
class SummaryParams(_Params):
    """The params of one ``motion_summaries`` run (their defaults and descriptions are the DAG's)."""

    batch_size: int
    max_batches: int | None
    summary_max_failures: int
    max_failure_ratio: float
    extractive_fallback: bool
    max_items: int | None
    max_tokens: int | None
    max_cost: float | None
    pilot_size: int
    approval_timeout_hours: float
    qa_sample_size: int
    qa_reports_dir: str | None
    dry_run: bool
    since: dt.date | None
    until: dt.date | None


def run_window(params: Any, *, run_type: str | None, interval_start: dt.datetime | None,
               interval_end: dt.datetime | None) -> tuple[dt.date | None, dt.date | None]:
    """The date window a run fetches bodies for and embeds: ``since``/``until``, else a backfill
    run's data interval as dates in :data:`TIMEZONE`, else no window (``None, None``)."""
    if params.since or params.until:
        return params.since, params.until
    if run_type == "backfill" and interval_start is not None and interval_end is not None:
        tz = ZoneInfo(TIMEZONE)
        return interval_start.astimezone(tz).date(), interval_end.astimezone(tz).date()
    return None, None
