"""gaba.cli.common: the argument types, the one-line parser, progress and output."""

import argparse
import io

import pytest

from gaba.cli import common


@pytest.mark.parametrize(
    ("parse", "text", "value"),
    [
        (common.positive_int, "7", 7),
        (common.seed, "0x10", 16),
        (common.seed, "4294967295", 2**32 - 1),
        (common.count, "0", 0),
        (common.number, "-2.5", -2.5),
        (common.positive("number of seconds"), "0.5", 0.5),
        (common.number_grid, "0.05, 0.1,", [0.05, 0.1]),
        (common.n_grid, "2,4,8", [2, 4, 8]),
    ],
)
def test_argument_types_parse(parse, text, value):
    assert parse(text) == value


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (common.positive_int, "0", "expected a positive integer, not '0'"),
        (common.positive_int, "1.5", "expected a positive integer, not '1.5'"),
        (common.seed, "x", "expected an integer seed, not 'x'"),
        (common.seed, "-4", "seed must be in 0..2**32-1, not '-4'"),
        (common.count, "x", "expected an integer, not 'x'"),
        (common.count, "4294967296", "expected an integer in 0..2**32-1, not '4294967296'"),
        (common.number, "nan", "expected a finite number, not 'nan'"),
        (common.positive("frequency in MHz"), "-3", "expected a positive frequency in MHz"),
        (common.number_grid, ",", "expected numbers like 0.05,0.1, not ','"),
        (common.n_grid, "1,4", "every n must be at least 2, not '1,4'"),
    ],
)
def test_argument_types_refuse(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match="^" + message.replace("*", r"\*")):
        parse(text)


def test_parser_errors_are_one_usage_error():
    p = common.Parser(prog="gaba x")
    p.add_argument("--n", type=common.positive_int)
    with pytest.raises(common.UsageError, match=r"^gaba x: argument --n: expected a positive"):
        p.parse_args(["--n", "0"])


def test_checked_turns_value_errors_into_usage_errors():
    def bad():
        raise ValueError("n must be 2 or more")

    with pytest.raises(common.UsageError, match=r"^gaba golden: n must be 2 or more$"):
        common.checked("golden", bad)
    assert common.checked("golden", lambda: 3) == 3


def test_simulator_errors_become_tool_errors():
    from gaba.sim.runner import ToolchainError

    with pytest.raises(common.ToolError, match="^no simulator$"), common.simulator_errors():
        raise ToolchainError("no simulator")


def test_progress_and_stages_go_to_stderr(capsys, monkeypatch):
    progress = common.Progress("golden nwta", unit="trials")
    progress(10, 10)
    common.stage(False)("building")
    common.stage(True)("hidden")
    common.Progress("off", enabled=False)(1, 1)
    cap = capsys.readouterr()
    assert cap.out == ""
    assert "golden nwta: 10/10 trials, " in cap.err and "  ... building\n" in cap.err
    assert "hidden" not in cap.err and "off" not in cap.err


def test_fmt():
    assert common.fmt(None) == "n/a"
    assert common.fmt(0.5) == "0.500"
    assert common.fmt(12.345, 0.5, 2) == "12.35 ± 0.50"


def test_write_output(tmp_path, monkeypatch):
    path = common.write_output(str(tmp_path / "a" / "b.v"), "unused.v", "module m;\n")
    assert path.read_text() == "module m;\n"
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    assert common.write_output("-", "unused.v", "text") is None and out.getvalue() == "text"
    assert common.write_json(tmp_path / "s.json", {"a": 1}).read_text() == '{\n "a": 1\n}\n'
