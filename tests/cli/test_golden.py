import json

import pytest

from gaba.cli import main

JSON_KEYS = {"mean_decision_time", "accuracy", "decided_fraction", "trials"}


def test_golden_fixed_json(run_json):
    o = run_json(["golden", "nwta", "--n", "10", "--trials", "50", "--seed", "3", "--json"])
    assert JSON_KEYS <= o.keys()
    assert o["trials"] == 50 and o["model"] == "fixed" and o["decided_fraction"] == 1.0
    assert 10 < o["mean_decision_time"] < 40 and 0.5 < o["accuracy"] <= 1.0


def test_golden_json_is_the_model(run_json):
    from gaba.golden import fixed
    from gaba.golden.config import Config

    o = run_json(["golden", "nwta", "--n", "7", "--trials", "30", "--seed", "5", "--json"])
    want = fixed.run_trials(Config.paper(n=7), 30, seed=5).summary()
    for key in JSON_KEYS:
        assert o[key] == want[key]


def test_golden_float_and_wta(run_json):
    o = run_json(
        [
            "golden",
            "wta",
            "--model",
            "float",
            "--n",
            "64",
            "--delta",
            "0.1",
            "--trials",
            "10",
            "--horizon",
            "30",
            "--json",
        ],
    )
    assert o["decided_fraction"] == 0.0 and o["mean_decision_time"] is None
    assert o["accuracy"] is None and o["trials"] == 10


def test_golden_text_summary(capsys):
    assert main(["golden", "nwta", "--n", "4", "--trials", "20", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "decided            100.0 % of trials" in out and "accuracy" in out


def test_golden_warns_about_eight_fractional_bits(capsys):
    argv = "golden nwta --frac-bits 8 --x-guard-bits 0 --trials 5 --horizon 20 --json --quiet"
    argv = argv.split()
    assert main(argv) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["decided_fraction"] == 0.0
    assert cap.err.startswith("gaba: warning: frac_bits + x_guard_bits = 8 + 0 is too few")
    assert len(cap.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["golden", "nwta", "--n", "1"],
            "gaba golden: Neuron count must be an integer of at least 2, not 1",
        ),
        (
            ["golden", "nwta", "--trials", "0"],
            "gaba golden: argument --trials: expected a positive integer, not '0'",
        ),
        (
            ["golden", "nwta", "--seed", "-4"],
            "gaba golden: argument --seed: seed must be in 0..2**32-1, not '-4'",
        ),
        (
            ["golden", "nwta", "--delta", "abc"],
            "gaba golden: argument --delta: expected a number, not 'abc'",
        ),
        (["golden", "nwta", "--sigma", "-1"], "gaba golden: sigma must be >= 0, not -1.0"),
        (["golden", "soft"], "gaba golden: argument kind: invalid choice: 'soft'"),
        (["golden", "nwta", "--model", "analog"], "gaba golden: argument --model: invalid choice"),
        (
            ["golden", "nwta", "--frac-bits", "99"],
            "gaba golden: frac_bits must be an integer in 4..24, not 99",
        ),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(fails, argv, message):
    assert fails(argv, 2).startswith(message)
