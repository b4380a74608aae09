"""The README's params tables, written from the declarations (a test keeps the README equal to them)."""
from __future__ import annotations

from typing import Any

from motion_ops.params.spec import ParamSpec

HEADER = "| param | in the form | default | range | meaning |\n|---|---|---|---|---|\n"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def default_text(spec: ParamSpec) -> str:
    """A param's default as the README shows it (with the environment variable that replaces it)."""
    value = spec.default
    if value is None:
        text = "empty"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = _number(value)
    else:
        text = f"`{value}`"
    return f"{text} (`{spec.env}`)" if spec.env else text


def range_text(spec: ParamSpec) -> str:
    """The values a param takes, in words (empty for a switch or a text)."""
    if spec.kind == "date":
        return "a date (YYYY-MM-DD)"
    low = (f"at least {_number(spec.minimum)}" if spec.minimum is not None else
           f"above {_number(spec.exclusive_minimum)}" if spec.exclusive_minimum is not None else "")
    if spec.maximum is not None:
        text = f"{_number(spec.minimum)} to {_number(spec.maximum)}" if spec.minimum is not None else \
            ", ".join(x for x in (low, f"at most {_number(spec.maximum)}") if x)
    else:
        text = low
    return f"{text} {spec.unit}" if text and spec.unit else text


def markdown(specs: tuple[ParamSpec, ...]) -> str:
    """The Markdown table of a DAG's params, in the order of its trigger form."""
    rows = [f"| `{s.name}` | {s.section}: {s.title} | {default_text(s)} | {range_text(s)} | "
            f"{s.description.replace('|', chr(92) + '|')} |\n" for s in specs]
    return HEADER + "".join(rows)
