"""What a DAG run hands its tasks: where they run, the run's params (typed), its date window; what
both DAGs share: their default_args, task timeouts and approval wait.

Pure (no Airflow import): the operators build these from the task context, tests build them directly.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from motion_ops.numerics.finite import env_number, seconds
from motion_ops.params import ALERTS, ENRICHMENT, SUMMARIES, ParamSpec
from motion_ops.params.shared import APPROVAL_TIMEOUT_HOURS

#: The timezone of the nightly schedule and of a backfill run's date window.
TIMEZONE = "Europe/Amsterdam"


#: the longest execution_timeout a setting may ask for (minutes): a week; more is a mistake
MAX_TIMEOUT_MINUTES = 7 * 24 * 60


def task_timeout(task_id: str, minutes: float) -> dt.timedelta:
    """A task's execution_timeout: ``minutes``, or ``MOTION_OPS_TIMEOUT_<TASK_ID>`` (minutes) if set.

    :raises ValueError: the setting is not a finite number above 0 and at most :data:`MAX_TIMEOUT_MINUTES`
        (Airflow reads a zero timeout as none, and a negative one times every try out at once).
    """
    name = f"MOTION_OPS_TIMEOUT_{task_id.upper()}"
    value = env_number(name, minutes)
    if not 0 < value <= MAX_TIMEOUT_MINUTES:
        raise ValueError(f"{name} must be above 0 and at most {MAX_TIMEOUT_MINUTES} minutes (a week), "
                         f"got {os.environ.get(name)!r}")
    return dt.timedelta(minutes=value)


_RETRY_DELAY = "MOTION_OPS_RETRY_DELAY_SECONDS"


def default_args() -> dict[str, Any]:
    """The ``default_args`` of the DAGs: two retries with exponential backoff from 30 s
    (``MOTION_OPS_RETRY_DELAY_SECONDS``, 0 to a day), at most 10 minutes apart.

    :raises ValueError: the setting is not a finite number of seconds from 0 to a day.
    """
    return {
        "owner": "motion-ops",
        "retries": 2,
        "retry_delay": dt.timedelta(seconds=seconds(os.environ.get(_RETRY_DELAY) or 30, _RETRY_DELAY)),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=10),
    }


def approval_timeout() -> dt.timedelta:
    """How long an approval step waits for a decision when its run does not say: the default of the
    param ``approval_timeout_hours`` (24 hours, or ``MOTION_OPS_APPROVAL_TIMEOUT_HOURS``)."""
    return dt.timedelta(hours=APPROVAL_TIMEOUT_HOURS.initial())


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


class _Params:
    """Typed params of a DAG run, read from its params mapping (:meth:`from_mapping`); its fields are
    its DAG's declarations (:data:`specs`)."""

    specs: tuple[ParamSpec, ...] = ()

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> tuple[Any, list[str]]:
        """The typed params and the keys that are not params (misspelled conf keys, to warn about).

        :raises ValueError: a missing param, a value of the wrong type, ``since`` not before ``until``.
        """
        values: dict[str, Any] = {}
        for spec in cls.specs:
            if spec.name not in params:
                raise ValueError(f"param {spec.name!r} is missing")
            values[spec.name] = spec.typed(params[spec.name])
        if values.get("since") and values.get("until") and values["since"] >= values["until"]:
            raise ValueError(f"param 'since' ({values['since']}) must be before 'until' ({values['until']})")
        known = {spec.name for spec in cls.specs}
        return cls(**values), sorted(k for k in params if k not in known)


def _typed_params(name: str, specs: tuple[ParamSpec, ...], doc: str) -> type:
    """A frozen dataclass with one typed field per declared param (``params.batch_size`` ...)."""
    return dataclasses.make_dataclass(name, [(s.name, s.annotation) for s in specs], bases=(_Params,), frozen=True,
                                      namespace={"specs": specs, "__doc__": doc, "__module__": __name__})


#: the params of one ``motion_enrichment`` run (declared in :mod:`motion_ops.params.enrichment`)
RunParams: Any = _typed_params("RunParams", ENRICHMENT, "The params of one ``motion_enrichment`` run.")
#: the params of one ``motion_summaries`` run (declared in :mod:`motion_ops.params.summaries`)
SummaryParams: Any = _typed_params("SummaryParams", SUMMARIES, "The params of one ``motion_summaries`` run.")
#: the params of one ``motion_alerts`` run (declared in :mod:`motion_ops.params.alerts`)
AlertParams: Any = _typed_params("AlertParams", ALERTS, "The params of one ``motion_alerts`` run.")


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


@dataclass(frozen=True)
class TaskResult:
    """What one task's stage did, for its operator to hand to Airflow: the task's XCom (:meth:`xcom`;
    sync_content and plan_summaries also push ``summary``), the one line a person reads (logged and
    kept in ``run_metrics`` with ``items`` and ``failures``, not when ``write`` is false), the
    outlets' Asset event ``extra``, and why the task does not end green: ``skip`` or ``fail`` (a
    person must look: no automatic retry)."""

    value: Any = None
    line: str = ""
    items: int = 0
    failures: int = 0
    write: bool = True
    summary: dict[str, Any] | None = None
    event: dict[str, Any] | None = None
    skip: str | None = None
    fail: str | None = None

    def xcom(self) -> Any:
        """The task's ``return_value`` (with ``multiple_outputs``, each key its own XCom)."""
        return self.value

    def metric(self, ctx: RunContext, *, try_number: int, seconds: float) -> dict[str, Any]:
        """The task's ``run_metrics`` row (query ``upsert_run_metric``): its line, seconds and counts."""
        return {"dag_id": ctx.dag_id, "run_id": ctx.run_id, "task_id": ctx.task_id,
                "map_index": -1 if ctx.map_index is None else ctx.map_index, "try_number": try_number,
                "seconds": round(seconds, 3), "items": int(self.items), "failures": int(self.failures),
                "summary": self.line[:1000]}
