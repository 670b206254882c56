"""Hostile arguments to every command: wrong types, out-of-range values and impossible
combinations each give one line on stderr and exit status 2, never a traceback and never work.

The table is built from the parser itself (:func:`gaba.cli.parser`): every option of every
command that takes a typed value or a choice gets values of the wrong type; every option with a
range gets values outside it, on every command that has it. Commands whose work is long (a
simulation, a bitstream, a board session) have their Config construction wrapped so that a
value accepted by mistake raises :class:`Accepted` instead of starting the work.
"""

from __future__ import annotations

import argparse

import pytest

from gaba.cli import board, compare, export, main, parser, verilog

#: Values no typed option accepts (every type is numeric: ints, numbers, grids, seeds).
WRONG_TYPE = ["abc", ""]
#: A value outside every positive or unsigned integer type's range.
NEGATIVE = ["-1"]
#: The minimal arguments each command needs besides the option under test.
BASE = {
    "golden": ["nwta", "--n", "2", "--trials", "1"],
    "demo": [],
    "verilog": ["nwta", "--n", "2", "-o", "-"],
    "export": ["nwta-core", "--n", "2", "--out", "build/tests/export-hostile"],
    "compare": ["nwta", "--n", "2"],
    "sweep": ["nwta", "--n", "2", "--trials", "1", "--quiet"],
    "report": [],
    "foldiak bars": [],
    "foldiak letters": [],
    "htm digits": [],
    "maass boolean": [],
    "maass approx": [],
    "build": ["nwta", "--board", "icebreaker"],
    "plan": ["nwta", "--board", "icebreaker", "--n", "16"],
    "board info": ["nwta", "--port", "sim"],
    "board status": ["nwta", "--port", "sim"],
    "board abort": ["nwta", "--port", "sim"],
    "board run": ["nwta", "--port", "sim"],
    "board read": ["nwta", "--port", "sim"],
}
#: Out-of-range values of the network's options, and combinations the Config refuses.
OUT_OF_RANGE = [
    ["--n", "1"],
    ["--delta", "-0.5"],
    ["--delta", "2"],
    ["--sigma", "-1"],
    ["--theta", "-1"],
    ["--dt", "0"],
    ["--dt", "2"],
    ["--horizon", "0"],
    ["--latency", "-1"],
    ["--latency", "5000"],
    ["--frac-bits", "2"],
    ["--frac-bits", "99"],
    ["--x-guard-bits", "-1"],
    ["--x-guard-bits", "99"],
    ["--step-clocks", "0"],
    ["--step-clocks", "9"],
    ["--lanes", "3", "--n", "16"],  # not a power of two
    ["--lanes", "64", "--n", "16"],  # more lanes than neurons
    ["--lanes", "4", "--n", "16", "--step-clocks", "2"],  # folded takes one clock a step
    ["--shared-noise", "--n", "16", "--step-clocks", "3"],  # the arg-max needs 2 clocks more
    ["--shared-noise", "--n", "16", "--lanes", "4"],  # the folded network shares it already
    ["--pipelined", "--n", "16", "--step-clocks", "4", "--latency", "1"],  # no shared noise
    ["--pipelined", "--shared-noise", "--n", "16", "--step-clocks", "4"],  # latency 0
]


def commands():
    """(words, parser) of every leaf command."""

    def walk(p, words):
        sub = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not sub:
            yield " ".join(words), p
            return
        for name, child in sub[0].choices.items():
            yield from walk(child, [*words, name])

    return list(walk(parser(), []))


def typed_cases():
    cases = []
    for name, p in commands():
        for action in p._actions:
            if not action.option_strings or not (action.type or action.choices):
                continue
            option = action.option_strings[-1]
            values = ["bogus-choice"] if action.choices else list(WRONG_TYPE)
            if action.type is not None and getattr(action.type, "__name__", "") not in (
                "number",
                "number_grid",
                "int",
            ):
                values += NEGATIVE  # positive or unsigned types
            cases += [(name, option, v) for v in values]
    return cases


def range_cases():
    cases = []
    for name, p in commands():
        options = {o for a in p._actions for o in a.option_strings}
        for extra in OUT_OF_RANGE:
            if all(word in options for word in extra if word.startswith("--")):
                cases.append((name, extra))
    return cases


class Accepted(Exception):
    """A value the Config should have refused reached the command's work."""


@pytest.fixture
def no_work(monkeypatch):
    """Wrap the Config construction of the commands whose work is long: accepting a hostile
    value raises Accepted instead of starting a simulation, a build or a board session."""
    for module in (board, compare, export, verilog):
        original = module.design_config

        def accepted(*args, _original=original, **kw):
            result = _original(*args, **kw)
            raise Accepted(f"accepted: {result}")

        monkeypatch.setattr(module, "design_config", accepted)


def one_line_exit_2(capsys, argv) -> str:
    status = main(argv)
    cap = capsys.readouterr()
    err = cap.err.strip().splitlines()
    assert status == 2, (argv, status, cap.err[-300:])
    assert len(err) == 1 and err[0].startswith("gaba"), (argv, cap.err)
    assert "Traceback" not in cap.err
    return err[0]


TYPED = typed_cases()
RANGES = range_cases()


def test_the_tables_cover_every_command():
    names = {name for name, _ in commands()}
    assert names == set(BASE)
    assert {name for name, *_ in TYPED} == names
    assert len(TYPED) > 250 and len(RANGES) > 100
    ranged = {name for name, _ in RANGES}
    assert ranged == {
        "golden",
        "demo",
        "verilog",
        "export",
        "compare",
        "sweep",
        "maass boolean",  # --n: its input bits
        "build",
        "plan",
        "board info",
        "board status",
        "board abort",
        "board run",
        "board read",
    }


@pytest.mark.parametrize(("command", "option", "value"), TYPED)
def test_wrong_types(capsys, no_work, command, option, value):
    line = one_line_exit_2(capsys, [*command.split(), *BASE[command], option, value])
    assert f"argument {option}" in line or option.lstrip("-").split("-")[0] in line


@pytest.mark.parametrize(("command", "extra"), RANGES, ids=lambda v: " ".join(v))
def test_out_of_range_values_and_combinations(capsys, no_work, command, extra):
    one_line_exit_2(capsys, [*command.split(), *BASE[command], *extra])
