"""Every DAG param, declared once: its kind, default, bounds, section, title and description.

The DAGs' ``params`` (:func:`motion_ops.operators.params.dag_params`), the typed values a task reads
(:class:`motion_ops.run.RunParams`, :class:`motion_ops.run.SummaryParams`), the README's tables
(:func:`markdown`, kept equal by a test) and the tests' defaults (:func:`defaults`) all derive from
:data:`ENRICHMENT`, :data:`SUMMARIES` and :data:`ALERTS`. A new param is one :class:`ParamSpec` in ``enrichment.py``,
``summaries.py`` or ``alerts.py`` (``shared.py`` when both DAGs have it), plus its use. Pure: no Airflow import.
``python -m motion_ops.params`` prints the README's tables.
"""
from __future__ import annotations

from motion_ops.params.alerts import ALERTS
from motion_ops.params.enrichment import ENRICHMENT
from motion_ops.params.markdown import markdown
from motion_ops.params.shared import approval_hours
from motion_ops.params.spec import MAX_APPROVAL_HOURS, ParamSpec, defaults, number_param
from motion_ops.params.summaries import SUMMARIES

#: each DAG's params by its dag_id, in the order of its trigger form
DAG_PARAMS: dict[str, tuple[ParamSpec, ...]] = {"motion_enrichment": ENRICHMENT, "motion_summaries": SUMMARIES,
                                                "motion_alerts": ALERTS}

__all__ = ["ALERTS", "DAG_PARAMS", "ENRICHMENT", "MAX_APPROVAL_HOURS", "SUMMARIES", "ParamSpec", "approval_hours", "defaults",
           "markdown", "number_param"]
