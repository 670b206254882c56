import json

import pytest

from gaba.cli import main
from gaba.cli.foldiak import MODEL_CHOICES

BARS_KEYS = {"runs", "runs_all_bars", "mean_bars_represented", "code_error"}


def test_bars_fixed_json_and_files(run_json, tmp_path):
    argv = "foldiak bars --runs 3 --presentations 3000 --seed 4 --json --out".split()
    o = run_json([*argv, str(tmp_path)])
    assert BARS_KEYS <= o.keys()
    assert o["runs"] == 3 and o["presentations"] == 3000 and o["model"] == "fixed"
    assert o["runs_all_bars"] == 3 and o["mean_bars_represented"] == 16.0
    assert 0 < o["code_error"] < 0.05 and len(o["bars_per_run"]) == 3
    assert o["curve"]["presentations"][-1] == 3000 and o["config_digest"]
    for name in ("bars-fixed-fields.png", "bars-fixed-curve.png", "bars-fixed.json"):
        assert (tmp_path / name).stat().st_size > 1000
    saved = json.loads((tmp_path / "bars-fixed.json").read_text())
    assert saved["code_error"] == o["code_error"]


def test_bars_json_is_the_model(run_json, tmp_path):
    from gaba.golden.foldiak.experiments import run_bars

    argv = "foldiak bars --runs 2 --presentations 300 --seed 9 --json --out".split()
    o = run_json([*argv, str(tmp_path)])
    want = run_bars("fixed", 2, 300, 9).summary()
    for key in (*BARS_KEYS, "bars_per_run", "curve", "w_range", "t_range"):
        assert o[key] == want[key]


def test_bars_float_text_summary(capsys, tmp_path):
    argv = "foldiak bars --model float --runs 2 --presentations 200 --quiet --out".split()
    assert main([*argv, str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("foldiak bars (float model, 2 runs x 200 presentations, seed 1")
    assert "all 16 bars        0 of 2 runs" in out and "exact-code error" in out
    assert (tmp_path / "bars-float-curve.png").exists()


def test_progress_goes_to_stderr_in_presentations(capsys, tmp_path):
    argv = ["foldiak", "bars", "--runs", "1", "--presentations", "50", "--out", str(tmp_path)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "foldiak bars (fixed, 1 runs): 150/150 presentations" in err


def test_letters_json(run_json, tmp_path):
    argv = "foldiak letters --runs 2 --presentations 1500 --json --out".split()
    o = run_json([*argv, str(tmp_path)])
    assert {"runs", "distinct_codes", "runs_all_distinct", "mean_active_units"} <= o.keys()
    assert o["runs"] == 2 and len(o["mean_active_units"]) == 26
    assert all(15 <= d <= 26 for d in o["distinct_codes"])
    assert o["t_saturated_runs"] == 0 and (tmp_path / "letters-fixed-codes.png").exists()


def test_letters_text(capsys, tmp_path):
    argv = "foldiak letters --model float --runs 1 --presentations 300 --quiet --out".split()
    assert main([*argv, str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("foldiak letters (float model, 1 runs x 300 presentations")
    assert "active units       E " in out and "codes of run 0" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["foldiak", "bars", "--runs", "0"],
            "gaba foldiak bars: argument --runs: expected a positive integer, not '0'",
        ),
        (
            ["foldiak", "bars", "--presentations", "x"],
            "gaba foldiak bars: argument --presentations: expected a positive integer, not 'x'",
        ),
        (
            ["foldiak", "bars", "--model", "analog"],
            "gaba foldiak bars: argument --model: invalid choice: 'analog'",
        ),
        (
            ["foldiak", "letters", "--seed", "-1"],
            "gaba foldiak letters: argument --seed: seed must be in 0..2**32-1, not '-1'",
        ),
        (["foldiak", "cubes"], "gaba foldiak: argument DEMO: invalid choice: 'cubes'"),
        (["foldiak"], "gaba foldiak: the following arguments are required: DEMO"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(fails, argv, message):
    assert fails(argv, 2).startswith(message)


def test_unwritable_out_is_one_line_exit_1(fails, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert fails(["foldiak", "bars", "--runs", "1", "--out", str(blocker / "sub")], 1).startswith(
        "gaba: "
    )


def test_model_choices_are_a_list_to_extend():
    assert MODEL_CHOICES == ["float", "fixed"]


@pytest.mark.slow  # a build of its own; tests/sim/test_pool.py runs the bars on the hardware
def test_bars_on_the_hardware_equal_the_fixed_point_model(capsys, tmp_path):
    argv = ["foldiak", "bars", "--runs", "1", "--presentations", "200", "--json"]
    assert main([*argv, "--model", "verilator", "--out", str(tmp_path / "hw")]) == 0
    hw = json.loads(capsys.readouterr().out)
    assert main([*argv, "--model", "fixed", "--out", str(tmp_path / "fixed")]) == 0
    golden = json.loads(capsys.readouterr().out)
    assert hw["hardware"]["bit_exact"] is True and hw["hardware"]["mismatches"] == 0
    assert hw["hardware"]["clocks_per_presentation"] == 1284
    for key in ("bars_per_run", "code_error_per_run", "curve", "w_range", "t_range"):
        assert hw[key] == golden[key], key
    assert (tmp_path / "hw" / "bars-verilator-fields.png").stat().st_size > 10_000


def test_letters_have_no_hardware_model(capsys):
    assert main(["foldiak", "letters", "--model", "verilator"]) == 2
    assert "invalid choice: 'verilator'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "model", ["fixed", pytest.param("float", marks=pytest.mark.slow)]
)  # the float model's blocks join as the fixed one's: one in the default run
def test_bars_in_blocks_of_runs_on_a_local_cluster_match_one_run(run_json, tmp_path, model):
    argv = ["foldiak", "bars", "--model", model, "--runs", "3", "--presentations", "300"]
    argv += ["--json", "--quiet", "--out"]
    one = run_json([*argv, str(tmp_path / "one")])
    spread = run_json([*argv, str(tmp_path / "spread"), "--workers", "2", "--block", "1"])
    for summary in (one, spread):
        del summary["seconds"], summary["files"]
    assert spread == one
