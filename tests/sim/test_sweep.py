import csv
import functools
import math

import pytest

from gaba.golden import fixed
from gaba.golden.config import Config
from gaba.sim import designs
from gaba.sim.sweep import Row, fit_per_doubling, sweep, wilson, write_outputs


def test_wilson_interval():
    low, high = wilson(50, 100)
    assert math.isclose(low, 0.4038, abs_tol=1e-4) and math.isclose(high, 0.5962, abs_tol=1e-4)
    assert wilson(10, 10)[1] == pytest.approx(1.0) and wilson(0, 10)[0] == pytest.approx(0.0)
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_fit_recovers_a_known_slope():
    rows = [
        Row(n, 10, None, 3.0 + 1.5 * math.log2(n), 0.1, 1.0, 0.9, 1.0, 1.0) for n in (2, 4, 16, 64)
    ]
    fit = fit_per_doubling(rows)
    assert fit["slope_per_doubling"] == pytest.approx(1.5)
    assert fit["intercept"] == pytest.approx(3.0)
    undecided = [Row(8, 10, None, None, None, None, None, None, 0.0)]
    assert fit_per_doubling(undecided) == {"slope_per_doubling": None, "intercept": None}


def test_golden_sweep_rows_are_the_golden_model(tmp_path):
    result = sweep("nwta", [2, 8, 32], trials=100, seed=4)
    for row in result.rows:
        res = fixed.run_trials(Config.paper(n=row.n, delta=0.10), 100, seed=4)
        assert row.mean_decision_time == res.summary()["mean_decision_time"]
        assert row.accuracy == res.summary()["accuracy"] and row.trials == 100
        assert row.accuracy_low <= row.accuracy <= row.accuracy_high
    times = [r.mean_decision_time for r in result.rows]
    assert times[0] < times[1] < times[2]  # nWTA: slower with more options
    assert 0.5 < result.fit["slope_per_doubling"] < 2.0
    csv_path, png_path = write_outputs(result, tmp_path)
    with csv_path.open() as f:
        got = list(csv.DictReader(f))
    assert [int(r["n"]) for r in got] == [2, 8, 32]
    assert png_path.stat().st_size > 10_000


def test_hardware_sweep_is_identical_to_the_golden_model():
    # n = 16 at delta 0.1: the demo's build
    result = sweep("nwta", [16], target="verilator", delta=0.1, trials=40, seed=6)
    assert result.identical and result.mismatches == 0
    assert [r.__dict__ for r in result.rows] == [r.__dict__ for r in result.golden_rows]


def test_hardware_sweep_reports_a_perturbed_hardware(monkeypatch):
    # companion: the same hardware held to a golden model at beta = 0.61 must make the sweep
    # say "different"
    nwta = designs.get("nwta")
    original = nwta.compare

    def perturbed(cfg, *args, **kwargs):
        return original(cfg.replace(beta=0.61), *args, hw_config=cfg, **kwargs)

    monkeypatch.setattr(nwta, "compare", functools.update_wrapper(perturbed, original))
    result = sweep("nwta", [5], target="verilator", delta=0.05, trials=20, seed=7)
    assert result.identical is False and result.mismatches > 0
    assert result.notes and result.notes[0].startswith("n = 5, delta 0.05: trial 0")


def test_sweep_validation():
    with pytest.raises(ValueError, match="Target must be one of golden, verilator, icarus"):
        sweep("nwta", [2], target="spice")
    with pytest.raises(ValueError, match="The n grid must name at least one n"):
        sweep("nwta", [])


def test_golden_sweep_over_delta_and_sigma_grids(tmp_path):
    result = sweep("nwta", [4, 8], delta=[0.05, 0.2], sigma=[0.1, 0.3], trials=60, seed=3)
    assert len(result.rows) == 8
    for row in result.rows:
        res = fixed.run_trials(Config.paper(n=row.n, delta=row.delta, sigma=row.sigma), 60, 3)
        assert row.mean_decision_time == res.summary()["mean_decision_time"]
    fits = {(f["delta"], f["sigma"]): f["slope_per_doubling"] for f in result.fits}
    assert set(fits) == {(0.05, 0.1), (0.2, 0.1), (0.05, 0.3), (0.2, 0.3)}
    assert result.fit["slope_per_doubling"] is None  # no single fit over a grid
    # self-adjustment: a wider gap decides faster at every n and sigma
    by = {(r.n, r.delta, r.sigma): r.mean_decision_time for r in result.rows}
    assert all(by[n, 0.2, s] < by[n, 0.05, s] for n in (4, 8) for s in (0.1, 0.3))
    files = write_outputs(result, tmp_path)
    assert [f.name for f in files[2:]] == [
        "sweep-nwta-golden-d0.05_0.2-s0.1_0.3-delta.png",
        "sweep-nwta-golden-d0.05_0.2-s0.1_0.3-sigma.png",
    ]
    with files[0].open() as f:
        assert {(float(r["delta"]), float(r["sigma"])) for r in csv.DictReader(f)} == set(fits)
    with pytest.raises(ValueError, match="The delta grid must name at least one value"):
        sweep("nwta", [2], delta=[])


def test_hardware_delta_grid_uses_the_host_gap_of_one_build():
    # the second gap runs on the hardware built for the first, through the engine's host input;
    # its rows must still be those of the golden model built for that gap
    result = sweep("nwta", [16], target="verilator", delta=[0.1, 0.2], trials=30, seed=2)
    assert result.identical and result.mismatches == 0
    for row in result.rows:
        res = fixed.run_trials(Config.paper(n=16, delta=row.delta), 30, 2)
        assert row.mean_decision_cycles == float(res.steps[res.decided].mean())
        assert row.accuracy == res.summary()["accuracy"]
    assert result.rows[1].mean_decision_cycles < result.rows[0].mean_decision_cycles
