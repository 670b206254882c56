import pytest

from gaba.cli import main


def test_sweep_json_and_files(run_json, tmp_path):
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
    o = run_json(argv)
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
    assert o["where"] == "this process" and o["tasks"] == 3
    assert o["identical_to_serial"] is None  # not split, so nothing merged
    assert all(
        (tmp_path / f).exists()
        for f in ("sweep-nwta-golden-d0.1-s0.22.csv", "sweep-nwta-golden-d0.1-s0.22.png")
    )


def test_sweep_on_a_local_cluster_matches_the_serial_run(run_json, capsys, tmp_path):
    argv = "sweep nwta --n 3,6 --trials 30 --seed 4 --json --quiet --out".split()
    serial = run_json([*argv, str(tmp_path / "serial")])
    spread = run_json([*argv, str(tmp_path / "spread"), "--workers", "2", "--block", "8"])
    assert spread["where"] == "a local Dask cluster of 2 worker processes"
    assert spread["tasks"] == 8 and serial["tasks"] == 2
    assert spread["rows"] == serial["rows"]


def test_sweep_takes_dt_and_step_clocks(run_json, tmp_path):
    # --dt was parsed and then dropped once; a coarser step must take fewer steps
    argv = "sweep nwta --n 4 --trials 20 --json --quiet --out".split() + [str(tmp_path)]
    fine = run_json(argv)["rows"][0]["mean_decision_cycles"]
    coarse = run_json([*argv, "--dt", "0.015625"])["rows"][0]["mean_decision_cycles"]
    assert coarse < fine / 1.5
    # the golden model ignores the clocks per step: the rows stay (tests/cli/test_hostile.py
    # holds that an illegal value is refused)
    assert run_json([*argv, "--step-clocks", "3"])["rows"][0]["mean_decision_cycles"] == fine


def test_sweep_text_over_grids(capsys, tmp_path):
    argv = "sweep nwta --n 2,4 --delta 0.05,0.1 --trials 10 --quiet --out".split()
    assert main([*argv, str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("nwta sweep on golden: delta 0.05,0.1, sigma 0.22, 10 trials per")
    assert "fit at delta 0.05, sigma 0.22: time = " in out
    assert (tmp_path / "sweep-nwta-golden-d0.05_0.1-s0.22-delta.png").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["sweep", "nwta", "--n", "2,x"],
            "gaba sweep: argument --n: expected comma-separated integers like 2,4,8, not '2,x'",
        ),
        (["sweep", "nwta", "--n", "1,4"], "gaba sweep: argument --n: every n must be at least 2"),
        (["sweep", "nwta", "--target", "spice"], "gaba sweep: argument --target: invalid choice"),
        (
            ["sweep", "nwta", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
            "gaba sweep: argument --scheduler: not allowed with argument --workers",
        ),
        (
            ["sweep", "nwta", "--workers", "0"],
            "gaba sweep: argument --workers: expected a positive",
        ),
        (["sweep", "nwta", "--block", "-3"], "gaba sweep: argument --block: expected a positive"),
        (
            ["sweep", "nwta", "--delta", "0.1,abc"],
            "gaba sweep: argument --delta: expected a number, not 'abc'",
        ),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(fails, argv, message):
    assert fails(argv, 2).startswith(message)
