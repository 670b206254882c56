"""The comparator-tree arg-max under cocotb, through its registry entry alone."""

import pytest

from gaba.sim import designs

ARGMAX = designs.get("argmax")


# Icarus (a build of a second) in the default run, with its companion; the Verilator variant
# (a build of its own, half a minute) in the slow tier
VERILATOR = pytest.mark.slow


@pytest.mark.parametrize(
    ("simulator", "n"), [pytest.param("verilator", 16, marks=VERILATOR), ("icarus", 5)]
)
def test_bit_exact_on_both_simulators(simulator, n):
    cfg = ARGMAX.config(n=n)
    r = ARGMAX.compare(cfg, simulator, trials=200 if simulator == "verilator" else 40, seed=3)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.compared == r.summary["trials"] and r.unit == "trials"


@pytest.mark.parametrize(
    ("simulator", "n", "trials"),
    [pytest.param("verilator", 16, 200, marks=VERILATOR), ("icarus", 5, 40)],
)
def test_a_perturbed_hardware_is_caught(simulator, n, trials):
    # the hardware built above held to a golden model of wider scores
    hw = ARGMAX.config(n=n)
    r = ARGMAX.compare(ARGMAX.config(n=n, width=4), simulator, trials=trials, seed=3, hw_config=hw)
    assert not r.bit_exact and r.first_mismatch.signal in ("winner", "max")
    assert r.first_mismatch.describe().startswith("trial 0: ")
