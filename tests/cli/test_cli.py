"""gaba.cli (the package): the parser assembled from the command modules, main's exits."""

import shutil
import subprocess
import sys

import pytest

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
        "golden", "demo", "verilog", "export", "compare", "sweep", "report", "foldiak", "htm",
        "maass", "build", "plan", "board",
    ]  # fmt: skip
    assert len(COMMANDS) == 11


def test_unwritable_output_is_one_line_exit_1(fails, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    line = fails(["verilog", "nwta", "--n", "2", "-o", str(blocker / "x.v")], 1)
    assert line.startswith("gaba: ") and str(blocker) in line
