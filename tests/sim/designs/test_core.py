"""The exported evidence-in core (designs nwta-core and wta-core) on the simulators, driven by
cocotbext-axi and cocotbext-wishbone with random stalls on both streams: every trial's result
and every register read back equal the golden model's (gaba.golden.evidence), in both input
modes, parallel and folded; a golden model of another hold, and a core of another dt, fail the
comparison."""

from __future__ import annotations

import pytest

from gaba.sim.designs import get

NWTA_CORE, WTA_CORE = get("nwta-core"), get("wta-core")
SMALL = {"n": 4, "delta": 0.2, "dt": 0.0625, "horizon": 40.0}
# the folded network (passes that overlap, a padded last row)
FOLDED = {"n": 5, "lanes": 2, "latency": 1}


def small(design, **changes):
    return design.config(**{**SMALL, **changes})


@pytest.mark.parametrize(
    ("mode", "trials", "options"),
    [("vector", 40, {}), ("updates", 24, {"vectors": 48, "hold": 3, "sd": 0.3})],
)
def test_the_core_is_bit_exact_on_verilator(mode, trials, options):
    report = NWTA_CORE.compare(small(NWTA_CORE), "verilator", mode, trials=trials, **options)
    assert report.bit_exact, report.to_json()
    # every result came back, and the run reached decisions and clamped inputs
    assert len(report.outputs["results"]) == trials
    assert report.summary["decided"] > 0 and report.summary["in_sat"] > 0


def test_the_core_without_noise_is_bit_exact_on_icarus():
    cfg = small(WTA_CORE, sigma=0.0, delta=0.1)
    report = WTA_CORE.compare(cfg, "icarus", "updates", trials=5, vectors=20, hold=5)
    assert report.bit_exact, report.to_json()


def test_the_core_is_bit_exact_on_icarus():
    report = NWTA_CORE.compare(small(NWTA_CORE), "icarus", "updates", trials=4, vectors=6, hold=2)
    assert report.bit_exact, report.to_json()


def test_the_folded_core_is_bit_exact_on_icarus():
    cfg = small(NWTA_CORE, **FOLDED)
    report = NWTA_CORE.compare(cfg, "icarus", "updates", trials=4, vectors=6, hold=2)
    assert report.bit_exact, report.to_json()
    assert report.summary["in_sat"] > 0


@pytest.mark.parametrize(
    ("simulator", "changes"), [("verilator", {}), ("icarus", FOLDED)], ids=["parallel", "folded"]
)
def test_a_golden_model_of_another_hold_fails(simulator, changes):
    from gaba.golden.evidence import Registers

    report = NWTA_CORE.compare(
        small(NWTA_CORE, **changes),
        simulator,
        "updates",
        trials=8 if simulator == "verilator" else 2,
        hold=3,
        golden_registers=Registers(hold=4),
    )
    assert not report.bit_exact
    assert report.first_mismatch["trial"] == 0


def test_a_core_of_another_dt_fails():
    cfg = small(NWTA_CORE)
    # (on Icarus: a model of its own, quick to build)
    report = NWTA_CORE.compare(
        cfg, "icarus", "vector", trials=3, hw_config=cfg.replace(dt=cfg.params.dt / 2)
    )
    assert not report.bit_exact
    assert report.first_mismatch["trial"] == 0
    assert not report.first_mismatch.signal.startswith("register")


@pytest.mark.slow
@pytest.mark.parametrize("arch", [{}, {"lanes": 2, "latency": 1}], ids=["parallel", "folded"])
@pytest.mark.parametrize("simulator", ["verilator", "icarus"])
@pytest.mark.parametrize("mode", ["vector", "updates"])
def test_a_thousand_trials_with_random_stalls(arch, simulator, mode):
    report = NWTA_CORE.compare(small(NWTA_CORE, **arch), simulator, mode, trials=1000, seed=5)
    assert report.bit_exact, report.to_json()
    assert len(report.outputs["results"]) == 1000
