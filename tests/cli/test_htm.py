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


@pytest.mark.slow  # Földiák's layer presents every image in Python: 15 s
def test_the_command_trains_foldiaks_layer_beside(capsys, tmp_path):
    argv = "htm digits --epochs 1 --columns 160 --foldiak 8 --quiet --out".split()
    assert main([*argv, str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "  Földiák's layer    codes 0." in out and "(8 units, " in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        ("htm digits --model spice", "invalid choice"),
        ("htm digits --epochs 0", "expected a positive integer"),
        ("htm digits --columns 10", "gives no active column"),
        ("htm", "required"),
    ],
)
def test_bad_arguments(fails, argv, needle):
    fails(argv.split(), 2, needle)
