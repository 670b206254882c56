"""gaba.cli (the package): the parser assembled from the command modules, main's exits."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gaba.cli
from gaba.cli import COMMANDS, parser


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["frobnicate"], "gaba: argument COMMAND: invalid choice: 'frobnicate'"),
        ([], "gaba: the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(fails, argv, message):
    assert fails(argv, 2).startswith(message)


def test_console_script_runs():
    exe = shutil.which("gaba")
    argv = [exe] if exe else [sys.executable, "-m", "gaba"]
    proc = subprocess.run([*argv, "golden", "nwta", "--n", "1"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert (
        proc.stderr.strip() == "gaba golden: Neuron count must be an integer of at least 2, not 1"
    )


def test_every_command_group_registers_its_commands():
    sub = parser()._subparsers._group_actions[0]
    assert list(sub.choices) == [
        "golden", "demo", "verilog", "compare", "sweep", "report", "foldiak", "build", "board"
    ]  # fmt: skip
    assert len(COMMANDS) == 8


def test_unwritable_output_is_one_line_exit_1(fails, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    line = fails(["verilog", "nwta", "--n", "2", "-o", str(blocker / "x.v")], 1)
    assert line.startswith("gaba: ") and str(blocker) in line


def _imports(path: Path) -> set[str]:
    """The gaba.cli modules ``path`` imports, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gaba.cli"):
            if node.module == "gaba.cli":
                names |= {f"gaba.cli.{a.name}" for a in node.names}
            else:
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("gaba.cli")}
    return names


def test_command_modules_import_common_only():
    """No import cycle: the command modules import gaba.cli.common (and the layers below),
    never each other nor the package; common imports no command module."""
    folder = Path(gaba.cli.__file__).parent
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        allowed = set() if path.stem == "common" else {"gaba.cli.common"}
        assert _imports(path) <= allowed, path.name
