import re

import pytest

from motion_ops.params import DAG_PARAMS, ENRICHMENT, SUMMARIES, defaults, markdown
from tests.conftest import ROOT


@pytest.mark.parametrize("dag_id", ["motion_enrichment", "motion_summaries", "motion_alerts"])
def test_the_readme_lists_every_param_of_a_dag_as_it_is_declared(dag_id):
    """The README's table is the declaration's (regenerate it with ``python -m motion_ops.params``)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- params {dag_id} .*?-->\n(.*?)<!-- end params -->", readme, re.S)
    assert found, f"README.md has no generated params table for {dag_id}"
    expected = markdown(DAG_PARAMS[dag_id])
    assert found.group(1) == expected, f"README.md's params of {dag_id} differ from motion_ops/params.py; paste:\n{expected}"
    for spec in DAG_PARAMS[dag_id]:
        assert f"| `{spec.name}` |" in found.group(1) and spec.description in found.group(1)


def test_every_param_has_one_name_a_title_a_section_and_a_description():
    for specs in DAG_PARAMS.values():
        names = [s.name for s in specs]
        assert len(names) == len(set(names))
        for s in specs:
            assert s.title and s.section and s.description and s.kind in {"int", "float", "bool", "str", "date"}, s.name
            assert s.nullable or s.default is not None, s.name


def test_a_param_declared_for_both_dags_keeps_each_dags_own_default_and_description():
    enrichment, summaries = defaults(ENRICHMENT), defaults(SUMMARIES)
    assert (enrichment["batch_size"], summaries["batch_size"]) == (64, 20)
    assert (enrichment["max_failure_ratio"], summaries["max_failure_ratio"]) == (0.05, 0.1)
    by_name = {s.name: s for s in SUMMARIES}
    mine = {s.name: s for s in ENRICHMENT}
    assert by_name["qa_reports_dir"] == mine["qa_reports_dir"]  # the same meaning: one declaration
    assert "approve_pilot" in by_name["approval_timeout_hours"].description
    assert "approve_embeddings" in mine["approval_timeout_hours"].description
    assert by_name["approval_timeout_hours"].title == mine["approval_timeout_hours"].title == "Hours to decide"


@pytest.mark.parametrize("kind,nullable,expected", [
    ("int", False, {"type": "integer", "minimum": 1, "maximum": 2048}),
    ("int", True, {"type": ["integer", "null"], "minimum": 1, "maximum": 2048}),
    ("bool", False, {"type": "boolean"}),
    ("str", True, {"type": ["string", "null"]}),
    ("date", True, {"type": ["string", "null"], "format": "date"}),
])
def test_a_spec_gives_the_json_schema_of_its_kind_and_bounds(kind, nullable, expected):
    from motion_ops.params import ParamSpec

    bounds = {"minimum": 1, "maximum": 2048} if kind == "int" else {}
    spec = ParamSpec("x", kind, None if nullable else 1, nullable=nullable, section="S", title="X", description="x.", **bounds)
    assert spec.schema() == expected


def test_a_number_spec_takes_only_finite_numbers_within_its_bounds():
    from motion_ops.params import ParamSpec, number_param

    spec = ParamSpec("x", "float", None, nullable=True, minimum=0, section="S", title="X", description="x.")
    assert spec.schema() == number_param(minimum=0, nullable=True)
    assert spec.typed("0.5") == 0.5 and spec.typed(None) is None
    with pytest.raises(ValueError, match="'x' must be a finite number"):
        spec.typed(float("nan"))


def test_the_approval_wait_defaults_to_24_hours_or_the_environment_within_its_bounds(monkeypatch):
    spec = {s.name: s for s in ENRICHMENT}["approval_timeout_hours"]
    monkeypatch.delenv("MOTION_OPS_APPROVAL_TIMEOUT_HOURS", raising=False)
    assert spec.default == 24 and spec.initial() == 24
    monkeypatch.setenv("MOTION_OPS_APPROVAL_TIMEOUT_HOURS", "5")
    assert spec.initial() == 5 and spec.default == 24
    for bad, message in (("0", "must be above 0 and at most 8784 hours"), ("1e15", "must be above 0 and at most 8784 hours"),
                         ("nan", "must be a finite number")):
        monkeypatch.setenv("MOTION_OPS_APPROVAL_TIMEOUT_HOURS", bad)
        with pytest.raises(ValueError, match=f"MOTION_OPS_APPROVAL_TIMEOUT_HOURS {message}"):
            spec.initial()


def test_the_markdown_shows_defaults_ranges_and_where_the_form_shows_a_param():
    table = markdown(ENRICHMENT)
    assert table.splitlines()[0] == "| param | in the form | default | range | meaning |"
    assert "| `batch_size` | Embedding: Batch size | 64 | 1 to 2048 |" in table
    assert "| `max_pages` | Sync: Feed pages per category | empty | at least 1 |" in table
    assert "| `approval_timeout_hours` | Pilot and budget: Hours to decide | 24 (`MOTION_OPS_APPROVAL_TIMEOUT_HOURS`) |" in table
    assert "| `since` | Run window: Since | empty | a date (YYYY-MM-DD) |" in table
    assert "| `qa_enforce` | QA: QA blocks publishing | true |" in table


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 1e309])
def test_a_number_param_schema_rejects_nan_and_infinity_and_keeps_its_bounds(value):
    import jsonschema

    from motion_ops.params import number_param

    schema = number_param(minimum=0, maximum=1)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(value, schema)
    for ok in (0, 0.5, 1):
        jsonschema.validate(ok, schema)
    for bad in (-0.1, 1.1):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
    nullable = number_param(exclusive_minimum=0, nullable=True)
    jsonschema.validate(None, nullable)
    jsonschema.validate(3.5, nullable)
    for bad in (value, 0, "1"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, nullable)
