"""The reports' HTML pages (the QA report, the pilot report): Jinja templates shipped with the
package in ``reports/templates/``, everything autoescaped."""
from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


def _pretty_json(value: Any) -> str:
    """A model's structured output as the pilot page shows it (escaped by the template)."""
    return json.dumps(value, ensure_ascii=False, indent=1)


TEMPLATES = Environment(loader=PackageLoader("motion_ops.reports", "templates"), autoescape=True,
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
TEMPLATES.filters["pretty_json"] = _pretty_json


def render(name: str, **context: Any) -> str:
    """The page of template ``name`` (in ``reports/templates/``) with ``context``.

    :param name: the template's file name, e.g. ``qa.html``.
    """
    return TEMPLATES.get_template(name).render(**context)
