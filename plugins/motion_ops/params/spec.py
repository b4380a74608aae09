"""A DAG param's declaration (:class:`ParamSpec`): its JSON schema, its typed value, its default. Pure."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from motion_ops.numerics.finite import LARGEST, env_number, finite

Kind = Literal["int", "float", "bool", "str", "date"]

#: the longest a pilot's approval may wait (hours): a year; more is a mistake (and beyond what a timedelta holds)
MAX_APPROVAL_HOURS = 24 * 366


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


def _date(name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"param {name!r} must be a date (YYYY-MM-DD), got {value!r}") from None


_ANNOTATIONS = {"int": int, "float": float, "bool": bool, "str": str, "date": dt.date}
_JSON_TYPES = {"int": "integer", "bool": "boolean", "str": "string", "date": "string"}


@dataclass(frozen=True)
class ParamSpec:
    """One param of a DAG run. ``env`` names an environment variable that replaces ``default`` when
    a DAG file is parsed (checked against the bounds); ``unit`` is how errors and the README say it."""

    name: str
    kind: Kind
    default: Any
    section: str = ""
    title: str = ""
    description: str = ""
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    env: str | None = None
    unit: str = ""

    def at(self, section: str, description: str, **changes: Any) -> "ParamSpec":
        """This param as one DAG has it: its section, its description and what else differs there."""
        return dataclasses.replace(self, section=section, description=description, **changes)

    @property
    def annotation(self) -> Any:
        """The Python type of its typed value."""
        kind = _ANNOTATIONS[self.kind]
        return kind | None if self.nullable or self.kind == "date" else kind

    def schema(self) -> dict[str, Any]:
        """Its JSON schema (what Airflow's ``Param`` validates in the trigger form and the REST API)."""
        if self.kind == "float":
            return number_param(minimum=self.minimum, maximum=self.maximum, exclusive_minimum=self.exclusive_minimum,
                                nullable=self.nullable)
        json_type = _JSON_TYPES[self.kind]
        schema: dict[str, Any] = {"type": [json_type, "null"] if self.nullable or self.kind == "date" else json_type}
        if self.kind == "date":
            schema["format"] = "date"
        for key, bound in (("minimum", self.minimum), ("maximum", self.maximum), ("exclusiveMinimum", self.exclusive_minimum)):
            if bound is not None:
                schema[key] = bound
        return schema

    def bounded(self, value: Any, what: str) -> float:
        """``value`` as a finite number within the bounds (e.g. an environment setting).

        :raises ValueError: not a finite number, or out of bounds (the message names ``what``).
        """
        number = finite(value, what)
        low_ok = (self.minimum is None or number >= self.minimum) and \
                 (self.exclusive_minimum is None or number > self.exclusive_minimum)
        if low_ok and (self.maximum is None or number <= self.maximum):
            return number
        limits = [f"at least {self.minimum}" if self.minimum is not None else "",
                  f"above {self.exclusive_minimum}" if self.exclusive_minimum is not None else "",
                  f"at most {self.maximum}" if self.maximum is not None else ""]
        unit = f" {self.unit}" if self.unit else ""
        raise ValueError(f"{what} must be {' and '.join(x for x in limits if x)}{unit}, got {value!r}")

    def initial(self) -> Any:
        """The default the DAG shows: ``default``, or the ``env`` setting when it is set."""
        return self.default if self.env is None else self.bounded(env_number(self.env, self.default), self.env)

    def typed(self, value: Any) -> Any:
        """``value`` (from a run's params or conf) as this param's Python type.

        :raises ValueError: empty where it may not be, or not of its kind (NaN and infinity are no numbers).
        """
        if self.kind == "date":
            return _date(self.name, value)
        if value is None:
            if not self.nullable:
                raise ValueError(f"param {self.name!r} must not be empty")
            return None
        try:
            if self.kind == "bool":
                if not isinstance(value, bool):
                    raise ValueError(f"param {self.name!r} must be true or false, got {value!r}")
                return value
            if self.kind in ("int", "float"):
                return finite(value, f"param {self.name!r}", kind=int if self.kind == "int" else float)
            return str(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc) if str(exc).startswith("param") else
                             f"param {self.name!r} has an invalid value {value!r}") from None


def defaults(specs: tuple[ParamSpec, ...]) -> dict[str, Any]:
    """Each param's declared default (not an ``env`` setting): what a run gets when nobody sets it."""
    return {s.name: s.default for s in specs}
