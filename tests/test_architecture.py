"""The shape of the code: layers, no import cycle, no private name across modules, lint clean.

The layers (DESIGN.md): golden <- hdl <- sim <- boards <- cli. Every import of every module
of the package counts, at the top or inside a function, because a function-level import is a
dependency too (it only hides a cycle until the function runs).
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The package's folders (pyproject's package-dir), in layer order: each may import only the
#: layers before it and itself.
LAYERS = (("gaba.golden", "golden"), ("gaba.hdl", "hdl"), ("gaba.sim", "sim"),
          ("gaba.boards", "boards"), ("gaba", "gaba"))  # fmt: skip


def _modules() -> dict[str, Path]:
    """Every module of the package (tests excluded) by dotted name."""
    out = {}
    for package, folder in LAYERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([package, *parts])] = path
    return out


MODULES = _modules()


def _layer(module: str) -> int:
    if module == "gaba":  # the root package: its version, under every layer (imports nothing)
        return -1
    for i, (package, _) in enumerate(LAYERS):
        if module == package or module.startswith(package + "."):
            return i
    raise AssertionError(module)


def _resolve(name: str) -> str | None:
    """The package module an imported name lives in (``gaba.golden.primitives`` for
    ``from gaba.golden import primitives``), or None outside the package."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> set[str]:
    """The package modules ``module`` imports, anywhere in its source."""
    out = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        out |= {m for m in map(_resolve, names) if m and m != module}
    return out


GRAPH = {m: imports(m) for m in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (as a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return [*path[path.index(n) :], n]
            if n not in state and (found := visit(n)):
                return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_cycle():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH))


def test_the_cycle_check_finds_a_cycle():
    # companion: a function-level import back from golden into the CLI closes a loop
    graph = {m: set(deps) for m, deps in GRAPH.items()}
    graph["gaba.golden.primitives"].add("gaba.cli")
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1] and "gaba.golden.primitives" in cycle


def test_the_root_package_imports_nothing():
    assert GRAPH["gaba"] == set()


def test_layers_import_only_the_layers_below():
    upward = [
        f"{m} imports {n}" for m, deps in GRAPH.items() for n in deps if _layer(n) > _layer(m)
    ]
    assert upward == []


def test_command_modules_import_only_the_common_module_of_the_cli():
    # the CLI's command groups share gaba.cli.common, never each other or the package
    for m, deps in GRAPH.items():
        if m.startswith("gaba.cli."):
            allowed = set() if m == "gaba.cli.common" else {"gaba.cli.common"}
            assert {d for d in deps if d.startswith("gaba.cli")} <= allowed, m


def test_the_import_graph_sees_imports_inside_functions():
    # gaba.cli.verilog imports the registry inside register(): that edge must be in the graph
    assert "gaba.sim.designs" in GRAPH["gaba.cli.verilog"]
    assert "gaba.golden.primitives" in GRAPH["gaba.hdl.argmax"]


def test_ruff_is_clean_with_no_private_names_across_modules():
    # pyproject's lint set, PLC2701 (a private name imported from another module) included
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_reports_a_private_import(tmp_path):
    # companion: the same configuration flags a module that imports another's private name
    (tmp_path / "a.py").write_text("def _helper():\n    return 1\n")
    (tmp_path / "b.py").write_text("from a import _helper\n\nprint(_helper())\n")
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
         str(ROOT / "pyproject.toml"), str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1 and "import-private-name" in proc.stdout
