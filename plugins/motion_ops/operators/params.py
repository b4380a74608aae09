"""A DAG's ``params``: one Airflow ``Param`` per declaration of :mod:`motion_ops.params`."""
from __future__ import annotations

from airflow.sdk import Param

from motion_ops.params import ParamSpec


def dag_params(specs: tuple[ParamSpec, ...]) -> dict[str, Param]:
    """The ``params`` of a ``@dag``, in the declarations' order (the trigger form's): each with its
    default (or its ``env`` setting, read now, when the DAG file is parsed), JSON schema, section,
    title and description."""
    return {s.name: Param(s.initial(), **s.schema(), section=s.section, title=s.title, description=s.description)
            for s in specs}
