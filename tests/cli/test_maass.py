"""``gaba maass``: parity by one k-WTA gate (golden and on a simulator), soft-WTA fits."""

import json

import pytest

from gaba.cli import main


def test_boolean_golden_json(run_json):
    o = run_json("maass boolean --n 2 --json".split())
    assert o["function"] == "parity of 2 bits" and o["k"] == 1 and len(o["forms"]) == 3
    assert o["one_threshold_gate_can"] is False and o["golden_correct"] == o["inputs"] == 4
    assert [r["value"] for r in o["table"]] == [False, True, True, False]
    assert "hardware" not in o


def test_boolean_on_icarus_text(capsys):
    assert main("maass boolean --n 3 --model icarus --quiet".split()) == 0
    out = capsys.readouterr().out
    assert out.startswith("maass boolean: parity of 3 bits by one 2-WTA gate over 4")
    assert "S_3 = 8 x0 + 8 x1 + 8 x2 + 6" in out
    assert "hardware on icarus: BIT-EXACT against the golden model, 8 inputs" in out


def test_approx_json_and_files(run_json, tmp_path):
    o = run_json(
        ["maass", "approx", "--forms", "8,32", "--json", "--quiet", "--out", str(tmp_path)]
    )
    fit = o["fit"]["rows"]
    assert [r["forms"] for r in fit] == [8, 32] and fit[1]["rms_error"] < fit[0]["rms_error"]
    assert all(r["shift_changes"] == 0 for r in fit)
    mono = o["monotone"]["rows"]
    assert all(r["max_error"] <= r["bound"] + 1e-12 for r in mono) and mono[-1]["forms"] == 33
    assert (tmp_path / "maass-approx.png").stat().st_size > 10000
    assert json.loads((tmp_path / "maass-approx.json").read_text())["fit"]["rows"] == fit


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        ("maass boolean --n 1", "Input bits n must be an integer in 2..12"),
        ("maass boolean --n 13", "Input bits n"),
        ("maass boolean --model spice", "invalid choice"),
        ("maass approx --forms 1,4", "every n must be at least 2"),
        ("maass approx --forms x", "comma-separated integers"),
        ("maass", "required"),
    ],
)
def test_bad_arguments(fails, argv, needle):
    fails(argv.split(), 2, needle)
