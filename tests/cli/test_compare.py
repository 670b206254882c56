from pathlib import Path

import pytest

from gaba.cli import main


def test_compare_json_keys_and_exit_status(run_json):
    argv = "compare nwta --n 3 --simulator icarus --mode lockstep --seed 7 --json --quiet"
    o = run_json(argv.split())
    assert {"bit_exact", "trials", "cycles_compared", "mismatches", "first_mismatch"} <= o.keys()
    assert o["bit_exact"] is True and o["first_mismatch"] is None and o["mismatches"] == 0
    assert o["trials"] == 1 and o["cycles_compared"] > 100 and "trials_compared" not in o
    assert o["mean_decision_steps"] > 0 and o["sim_cycles"] >= o["cycles_compared"]


def test_compare_waves_keeps_a_waveform(run_json):
    o = run_json("compare nwta --n 3 --simulator icarus --mode lockstep --waves --json".split())
    assert o["bit_exact"] and o["waveform"].endswith(".fst")
    assert Path(o["waveform"]).stat().st_size > 1000


def test_compare_missing_simulator_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["compare", "nwta", "--n", "3", "--simulator", "icarus", "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gaba: Icarus Verilog not found")
    assert "apt-get install iverilog" in err[0]


@pytest.mark.slow  # a Verilator build of the paper's layer of its own (half a minute); the
# default run compares the layer in lockstep (tests/sim/designs/test_foldiak.py)
def test_compare_foldiak_json(run_json):
    o = run_json(["compare", "foldiak", "--mode", "lockstep", "--trials", "3", "--json"])
    assert o["bit_exact"] is True and o["mismatches"] == 0 and o["first_mismatch"] is None
    assert o["trials"] == o["presentations"] == 3 and o["tests"] == 10
    assert o["values_compared"] > 4 * (64 * 16 + 16 * 16 + 16) and "cycles_compared" not in o


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["compare", "nwta", "--simulator", "modelsim"],
            "gaba compare: argument --simulator: invalid choice: 'modelsim'",
        ),
        (["compare", "nwta", "--mode", "fast"], "gaba compare: argument --mode: invalid choice"),
        (
            ["compare", "foldiak", "--trials", "50"],
            "gaba compare: a run of 50 presentations ends inside the 100-presentation threshold "
            "pre-run",
        ),
        (["compare", "foldiak", "--n", "1"], "gaba compare: Unit count n must be an integer"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(fails, argv, message):
    assert fails(argv, 2).startswith(message)


def test_compare_trials_mode_counts_trials_and_any_design_compares(run_json):
    o = run_json("compare wta --n 3 --simulator icarus --trials 4 --json --quiet".split())
    assert o["bit_exact"] and o["trials_compared"] == o["trials"] == 4
    assert "cycles_compared" not in o and o["sim_cycles"] > 0
    # a design the command knows only from the registry
    o = run_json("compare argmax --n 6 --simulator icarus --trials 20 --json --quiet".split())
    assert o["bit_exact"] and o["design"] == "argmax" and o["trials_compared"] == 20
