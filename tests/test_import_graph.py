"""The import graph of ``plugins/motion_ops``: no circle, and the layers the README states.

Every ``import`` and ``from ... import`` of every module counts, at module level and inside
functions alike (a deferred import is still a dependency, it only hides a circle until it runs).
Importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__``: those are edges too.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "plugins"

#: The stage modules (README, "plugins/motion_ops/"): one per stage of the pipelines, with the
#: modules a stage is split into (``motion_row`` of ``assemble``), the tasks' own stage modules
#: (``content``: sync_content and announce_texts; ``piloting``: the pilot steps) and the core the
#: batched paid stages share (``batched``).
STAGES = ("sync", "assemble", "motion_row", "bodies", "embeddings", "similarity", "qa", "publish", "summaries",
          "pilot", "piloting", "content", "switch", "exports", "batched")
#: What lies above the stages: the Airflow edge's operators, the command line and what it reports.
ABOVE_STAGES = ("operators", "cli", "__main__", "status")
#: The packages the stages stand on (``alerts``: the e-mail digests, whose subscriptions and links the
#: readers' app uses too); none of them reaches up.
BELOW_STAGES = ("clients", "parsers", "numerics", "llm", "store", "reports", "serve", "alerts")
#: What every layer may use: the task's result and run (``run``), the params, party identities and
#: the relatedness's definition (``related``, ``chains``); they import only each other and ``numerics``.
FOUNDATION = ("run", "params", "parties", "chains", "related")
#: The only places that import Airflow (besides the plugin entry ``plugins/motion_ops_plugin.py``), and
#: the provider's metadata Airflow reads (``provider_info``).
AIRFLOW_EDGE = ("motion_ops.hooks", "motion_ops.operators")
EDGE = ("hooks", "provider_info")
#: The imports across the layers that are meant: run standalone, the readers' app reads its store,
#: embedding provider and SMTP server from the Airflow connections, as the workers do.
ACROSS = {("motion_ops.serve.standalone", "motion_ops.hooks")}


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted((PLUGINS / "motion_ops").rglob("*.py")):
        parts = list(path.relative_to(PLUGINS).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported_names(path: Path) -> list[tuple[str, int]]:
    """``(dotted name, line)`` of everything a file imports, anywhere in it; ``from p import x`` gives
    ``p.x`` (a module if there is one, else resolved to ``p`` by :func:`graph`)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: a relative import (imports are absolute)"
            names += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return names


def graph() -> dict[str, dict[str, int]]:
    """module -> {module of motion_ops it imports: the first line that does}."""
    mods = modules()
    edges: dict[str, dict[str, int]] = {name: {} for name in mods}
    for name, path in mods.items():
        for target, line in imported_names(path):
            while target and target not in mods:
                target = target.rpartition(".")[0]
            parts = target.split(".") if target else []
            for i in range(1, len(parts) + 1):  # the module and the packages it is in
                dep = ".".join(parts[:i])
                if dep != name and not name.startswith(dep + "."):  # its own packages are already running
                    edges[name].setdefault(dep, line)
    return edges


def find_cycle(edges: dict[str, dict[str, int]]) -> list[str] | None:
    """One circle of imports (``[a, b, ..., a]``), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def describe(cycle: list[str], edges: dict[str, dict[str, int]]) -> str:
    return " -> ".join(f"{a} (line {edges[a][b]})" for a, b in zip(cycle, cycle[1:])) + f" -> {cycle[-1]}"


def layer(module: str) -> str:
    """The top-level name under ``motion_ops`` a module belongs to (``serve`` for ``motion_ops.serve.api``)."""
    return module.split(".")[1] if "." in module else ""


def test_the_graph_sees_imports_at_module_level_and_inside_functions():
    edges = graph()
    assert "motion_ops.clients.redact" in edges["motion_ops.clients.feed"]  # at module level
    assert "motion_ops.serve.api" in edges["motion_ops.serve.app"]  # inside create_app
    assert "motion_ops.serve.standalone" in edges["motion_ops.cli.readers"]  # inside cmd_serve
    assert "motion_ops.serve" in edges["motion_ops.cli.readers"]  # the package whose __init__ that runs
    assert find_cycle({"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"a": 2, "b": 3}}) is None


def test_no_module_of_motion_ops_imports_itself_in_a_circle():
    edges = graph()
    cycle = find_cycle(edges)
    assert cycle is None, f"an import circle: {describe(cycle, edges)}"


def test_the_stages_are_modules_and_the_layers_are_packages():
    mods = modules()
    assert all(f"motion_ops.{s}" in mods for s in STAGES + ABOVE_STAGES + BELOW_STAGES + FOUNDATION + EDGE)


def test_every_module_of_motion_ops_is_in_exactly_one_layer():
    layers = [STAGES, ABOVE_STAGES, BELOW_STAGES, FOUNDATION, EDGE]
    found = {layer(m) for m in modules()} - {""}
    placed = [name for group in layers for name in group]
    assert len(placed) == len(set(placed)), "a module in two layers"
    assert found == set(placed), f"not placed: {sorted(found - set(placed))}; gone: {sorted(set(placed) - found)}"


def test_nothing_below_the_stages_imports_a_stage_or_what_is_above_them():
    upper = set(STAGES + ABOVE_STAGES + EDGE)
    wrong = [f"{m} imports {t} (line {line})" for m, targets in graph().items() if layer(m) in BELOW_STAGES
             for t, line in targets.items() if layer(t) in upper and (m, t) not in ACROSS]
    assert not wrong, "\n".join(wrong)


def test_the_foundation_imports_only_itself_and_numerics():
    allowed = set(FOUNDATION) | {"numerics"}
    wrong = [f"{m} imports {t} (line {line})" for m, targets in graph().items() if layer(m) in FOUNDATION
             for t, line in targets.items() if layer(t) not in allowed]
    assert not wrong, "\n".join(wrong)


def test_no_stage_imports_the_operators_or_the_command_line():
    wrong = [f"{m} imports {t} (line {line})" for m, targets in graph().items() if layer(m) in STAGES
             for t, line in targets.items() if layer(t) in ABOVE_STAGES + EDGE]
    assert not wrong, "\n".join(wrong)


def test_airflow_is_imported_only_by_the_hooks_the_operators_and_the_plugin_entry():
    wrong = []
    for path in sorted(PLUGINS.rglob("*.py")):
        if path == PLUGINS / "motion_ops_plugin.py":
            continue
        name = ".".join(path.relative_to(PLUGINS).with_suffix("").parts).removesuffix(".__init__")
        if name.startswith(AIRFLOW_EDGE):
            continue
        wrong += [f"{name}:{line} imports {target}" for target, line in imported_names(path)
                  if target == "airflow" or target.startswith("airflow.")]
    assert not wrong, "\n".join(wrong)
