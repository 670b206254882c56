"""``gaba htm digits``: the spatial pooler on the digits, its summary and files."""

import json

import pytest

from gaba.cli import main


def test_the_command_writes_its_files(run_json, tmp_path):
    argv = "htm digits --epochs 1 --columns 160 --seed 2 --json --quiet --out".split()
    o = run_json([*argv, str(tmp_path)])
    assert o["model"] == "fixed" and o["epochs"] == 1 and o["active_per_code"] == 8.0
    assert o["params"]["columns"] == 160 and 0.5 < o["code_accuracy"] <= 1.0
    for name in ("digits-fixed-fields.png", "digits-fixed-duty.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert "foldiak" not in o
    saved = json.loads((tmp_path / "digits-fixed.json").read_text())
    assert saved["code_accuracy"] == o["code_accuracy"]


def test_the_command_trains_foldiaks_layer_beside(capsys, tmp_path):
    argv = "htm digits --epochs 1 --columns 160 --foldiak 8 --quiet --out".split()
    assert main([*argv, str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "  Földiák's layer    codes 0." in out and "(8 units, " in out


# A whole epoch on the hardware (3144 steps, the digits' Verilator build) and its companion:
# the slow tier. The default run holds that build to the golden model over 240 steps, with
# its perturbed draw (tests/sim/designs/test_htm.py).
@pytest.mark.slow
def test_the_pooler_learns_on_the_simulated_hardware(run_json, tmp_path):
    argv = "htm digits --model verilator --epochs 1 --columns 32 --seed 2 --json --quiet --out"
    o = run_json([*argv.split(), str(tmp_path)])
    h = o["hardware"]
    assert o["model"] == "verilator" and h["design"] == "htm-digits" and h["bit_exact"]
    assert h["trials_compared"] == 1347 + 1797 and h["mismatches"] == 0
    # the hardware's codes are read out: the fixed-point model's, which it matched
    fixed = run_json(
        [
            "htm",
            "digits",
            "--epochs",
            "1",
            "--columns",
            "32",
            "--seed",
            "2",
            "--json",
            "--quiet",
            "--out",
            str(tmp_path),
        ]
    )
    assert o["code_accuracy"] == fixed["code_accuracy"] and o["active_per_code"] == 1.0
    assert (tmp_path / "digits-verilator-fields.png").stat().st_size > 1000


@pytest.mark.slow
def test_a_mismatching_hardware_run_exits_1(capsys, monkeypatch, tmp_path):
    # the golden side draws the next image: the hardware's codes are still read out, the
    # mismatch is reported, and the command fails
    from gaba.golden.htm import digits

    draw = digits.training_images
    monkeypatch.setattr(digits, "training_images", lambda *a, **k: (draw(*a, **k) + 1) % 1347)
    argv = "htm digits --model verilator --epochs 1 --columns 32 --seed 2 --quiet --out"
    assert main([*argv.split(), str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "  hardware           htm-digits: " in out and " mismatches with the " in out


@pytest.mark.slow  # a build of the paper's layer at 8 units and 2.5 million clocks: 30 s
def test_foldiaks_layer_learns_on_the_simulated_hardware(run_json, tmp_path):
    argv = "htm digits --model verilator --epochs 1 --columns 32 --foldiak 8 --json --quiet --out"
    f = run_json([*argv.split(), str(tmp_path)])["foldiak"]
    assert f["model"] == "verilator" and f["hardware"]["design"] == "foldiak-digits"
    assert f["hardware"]["bit_exact"] and f["code_accuracy"] > 0.2
    golden = run_json([*argv.replace("verilator", "fixed").split(), str(tmp_path)])["foldiak"]
    assert f["code_accuracy"] == golden["code_accuracy"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        ("htm digits --model spice", "invalid choice"),
        ("htm digits --epochs 0", "expected a positive integer"),
        ("htm", "required"),
    ],
)
def test_bad_arguments(fails, argv, needle):
    fails(argv.split(), 2, needle)
