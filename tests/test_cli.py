import json
import shutil
import subprocess
import sys

import pytest

from gaba.cli import main

JSON_KEYS = {"mean_decision_time", "accuracy", "decided_fraction", "trials"}


def _json(capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def test_golden_fixed_json(capsys):
    o = _json(capsys, ["golden", "nwta", "--n", "10", "--trials", "50", "--seed", "3", "--json"])
    assert JSON_KEYS <= o.keys()
    assert o["trials"] == 50 and o["model"] == "fixed" and o["decided_fraction"] == 1.0
    assert 10 < o["mean_decision_time"] < 40 and 0.5 < o["accuracy"] <= 1.0


def test_golden_json_is_the_model(capsys):
    from gaba.golden import fixed
    from gaba.golden.config import Config

    o = _json(capsys, ["golden", "nwta", "--n", "7", "--trials", "30", "--seed", "5", "--json"])
    want = fixed.run_trials(Config.paper(n=7), 30, seed=5).summary()
    for key in JSON_KEYS:
        assert o[key] == want[key]


def test_golden_float_and_wta(capsys):
    o = _json(
        capsys,
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
    assert (
        main(
            [
                "golden",
                "nwta",
                "--frac-bits",
                "8",
                "--trials",
                "5",
                "--horizon",
                "20",
                "--json",
                "--quiet",
            ]
        )
        == 0
    )
    cap = capsys.readouterr()
    assert json.loads(cap.out)["decided_fraction"] == 0.0
    assert cap.err.startswith("gaba: warning: frac_bits = 8 is too few")
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
        (["frobnicate"], "gaba: argument COMMAND: invalid choice: 'frobnicate'"),
        ([], "gaba: the following arguments are required: COMMAND"),
        (
            ["compare", "nwta", "--simulator", "modelsim"],
            "gaba compare: argument --simulator: invalid choice: 'modelsim'",
        ),
        (["compare", "nwta", "--mode", "fast"], "gaba compare: argument --mode: invalid choice"),
        (
            ["verilog", "nwta", "--n", "0"],
            "gaba verilog: argument --n: expected a positive integer, not '0'",
        ),
        (["verilog", "nwta", "--delta", "3"], "gaba verilog: delta must be <= 1.0, not 3.0"),
        (
            ["sweep", "nwta", "--n", "2,x"],
            "gaba sweep: argument --n: expected comma-separated integers like 2,4,8, not '2,x'",
        ),
        (["sweep", "nwta", "--n", "1,4"], "gaba sweep: argument --n: every n must be at least 2"),
        (["sweep", "nwta", "--target", "spice"], "gaba sweep: argument --target: invalid choice"),
        (
            ["sweep", "nwta", "--delta", "0.1,abc"],
            "gaba sweep: argument --delta: expected a number, not 'abc'",
        ),
        (
            ["verilog", "foldiak", "--delta", "0.1"],
            "gaba verilog: foldiak takes --n (units) and --frac-bits only, not --delta",
        ),
        (
            ["verilog", "foldiak", "--debug"],
            "gaba verilog: foldiak reads its state back through its ports; drop --debug",
        ),
        (
            ["compare", "foldiak", "--trials", "50"],
            "gaba compare: a foldiak run needs at least the 100 presentations",
        ),
        (["compare", "foldiak", "--n", "1"], "gaba compare: Unit count n must be an integer"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), cap.err


def test_demo_simulates_and_compares(capsys, tmp_path):
    out_file = tmp_path / "demo.v"
    assert main(["demo", "--n", "8", "--trials", "50", "--quiet", "-o", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "golden model     BIT-EXACT against the hardware" in out
    assert "Verilator, 50 trials" in out and "100.0 % decided" in out
    assert out_file.read_text().count("module gaba_nwta(") == 1


def test_verilog_writes_a_documented_module(capsys, tmp_path):
    path = tmp_path / "w.v"
    assert main(["verilog", "wta", "--n", "5", "--latency", "1", "-o", str(path)]) == 0
    text = path.read_text()
    assert "// gaba trial engine: wta, n = 5" in text and "module gaba_nwta(" in text
    for port in ("clk", "rst", "start", "seed", "res__payload", "res__valid", "res__ready"):
        assert f"//   {port} " in text
    assert "//   [" in text and "] digest" in text  # payload fields with their bits
    assert "state" not in text.split("module gaba_nwta(")[1].split(";")[0]
    assert main(["verilog", "nwta", "--n", "3", "--debug", "-o", "-"]) == 0
    assert "output [" in capsys.readouterr().out


@pytest.mark.parametrize("design", ["parallel-integrators", "serial-integrator"])
def test_verilog_of_the_baselines(capsys, design):
    assert main(["verilog", design, "--n", "6", "-o", "-"]) == 0
    text = capsys.readouterr().out
    name = "gaba_" + design.replace("-", "_")
    assert f"module {name}(" in text and "res__payload" in text and "steps" in text


def test_compare_json_keys_and_exit_status(capsys):
    argv = "compare nwta --n 3 --simulator icarus --mode lockstep --seed 7 --json --quiet".split()
    assert main(argv) == 0
    o = json.loads(capsys.readouterr().out)
    assert {"bit_exact", "trials", "cycles_compared", "mismatches", "first_mismatch"} <= o.keys()
    assert o["bit_exact"] is True and o["first_mismatch"] is None and o["mismatches"] == 0
    assert o["trials"] == 1 and o["cycles_compared"] > 100


def test_compare_waves_keeps_a_waveform(capsys):
    argv = "compare nwta --n 3 --simulator icarus --mode lockstep --waves --json".split()
    assert main(argv) == 0
    o = json.loads(capsys.readouterr().out)
    assert o["bit_exact"] and o["waveform"].endswith(".fst")
    from pathlib import Path

    assert Path(o["waveform"]).stat().st_size > 1000


def test_sweep_json_and_files(capsys, tmp_path):
    argv = [
        "sweep",
        "nwta",
        "--n",
        "2,4,8",
        "--trials",
        "40",
        "--out",
        str(tmp_path),
        "--json",
        "--quiet",
    ]
    assert main(argv) == 0
    o = json.loads(capsys.readouterr().out)
    assert [r["n"] for r in o["rows"]] == [2, 4, 8]
    for row in o["rows"]:
        assert {
            "n",
            "mean_decision_cycles",
            "mean_decision_time",
            "accuracy",
            "decided_fraction",
        } <= row.keys()
    assert set(o["fit"]) == {"slope_per_doubling", "intercept"}
    assert o["identical_to_golden"] is None  # golden target: nothing to compare
    assert all(
        (tmp_path / f).exists()
        for f in ("sweep-nwta-golden-d0.1-s0.22.csv", "sweep-nwta-golden-d0.1-s0.22.png")
    )


def test_compare_missing_simulator_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["compare", "nwta", "--n", "3", "--simulator", "icarus", "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gaba: Icarus Verilog not found")
    assert "apt-get install iverilog" in err[0]


def test_console_script_runs():
    exe = shutil.which("gaba")
    argv = [exe] if exe else [sys.executable, "-m", "gaba"]
    proc = subprocess.run([*argv, "golden", "nwta", "--n", "1"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert (
        proc.stderr.strip() == "gaba golden: Neuron count must be an integer of at least 2, not 1"
    )


def test_verilog_of_the_foldiak_layer(capsys, tmp_path):
    out = tmp_path / "f.v"
    assert main(["verilog", "foldiak", "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("// gaba foldiak: 64 inputs, 16 units")
    assert "1284 clocks per training presentation" in text and "module gaba_foldiak(" in text


def test_compare_foldiak_json(capsys):
    o = _json(capsys, ["compare", "foldiak", "--mode", "lockstep", "--trials", "3", "--json"])
    assert o["bit_exact"] is True and o["mismatches"] == 0 and o["first_mismatch"] is None
    assert o["trials"] == 3 and o["cycles_compared"] == 3 + 10
    assert o["values_compared"] > 4 * (64 * 16 + 16 * 16 + 16)
