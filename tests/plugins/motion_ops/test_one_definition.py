"""One definition per concept in the batched paid work: the pipelines (embeddings, summaries) and
their pilots share one core instead of each holding its own copy."""
import ast
from pathlib import Path

import motion_ops

PACKAGE = Path(motion_ops.__file__).parent


def definitions(name: str) -> list[str]:
    """Where ``name`` is defined (a class or a function at any level) under ``plugins/motion_ops``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_there_is_one_failure_ratio_exceeded_and_one_plan_batches():
    assert len(definitions("FailureRatioExceeded")) == 1, definitions("FailureRatioExceeded")
    assert len(definitions("plan_batches")) == 1, definitions("plan_batches")


def test_the_failed_id_collection_the_halving_retry_and_the_budget_are_defined_once():
    for name in ("collect_failed_ids", "halved"):
        assert len(definitions(name)) == 1, (name, definitions(name))
    assert len(definitions_matching("Budget")) == 1, definitions_matching("Budget")


def test_no_module_reaches_into_a_stage_modules_private_names():
    reaching = []  # (the operators' private base classes are the Airflow edge's own business)
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("motion_ops") \
                    and not node.module.startswith("motion_ops.operators"):
                reaching += [f"{path.relative_to(PACKAGE)}: {node.module}.{a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
    assert reaching == []


def definitions_matching(suffix: str) -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith(suffix):
                found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    return found


def test_there_is_one_pilot_module_and_the_summaries_stage_is_split_by_stage():
    assert not (PACKAGE / "embedding_pilot.py").exists()
    assert (PACKAGE / "pilot.py").exists()
    assert not (PACKAGE / "summaries.py").exists()
    for module in (PACKAGE / "summaries").glob("*.py"):
        assert len(module.read_text(encoding="utf-8").splitlines()) < 300, module


def test_the_mapped_plan_and_its_cap_by_airflows_max_map_length_are_written_once():
    """sync_content and plan_summaries each built ``[{"batch_index", "ids"}]`` and capped
    ``max_batches`` by ``max_map_length`` on their own (:func:`motion_ops.batched.mapped_plan`,
    :func:`motion_ops.batched.batch_cap`)."""
    written = {rule: [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
                      if rule in p.read_text(encoding="utf-8")]
               for rule in ('"batch_index": i', "max_batches or max_map")}
    assert written == {'"batch_index": i': ["batched.py"], "max_batches or max_map": ["batched.py"]}, written


def test_the_command_that_approves_a_chain_or_model_is_written_once():
    """The approval step's words and the refusal of an unapproved chain each spelled the command out."""
    written = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
               if "approvals approve --chain" in p.read_text(encoding="utf-8")]
    assert written == ["store/approvals.py"], written
