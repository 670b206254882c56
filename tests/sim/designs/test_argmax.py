"""The comparator-tree arg-max under cocotb, through its registry entry alone."""

import pytest

from gaba.sim import designs

ARGMAX = designs.get("argmax")


@pytest.mark.parametrize(("simulator", "n"), [("verilator", 16), ("icarus", 5)])
def test_bit_exact_on_both_simulators(simulator, n):
    cfg = ARGMAX.config(n=n)
    r = ARGMAX.compare(cfg, simulator, trials=200 if simulator == "verilator" else 40, seed=3)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.compared == r.summary["trials"] and r.unit == "trials"


def test_a_perturbed_hardware_is_caught():
    # the hardware built above held to a golden model of wider scores
    hw = ARGMAX.config(n=16)
    r = ARGMAX.compare(ARGMAX.config(n=16, width=4), "verilator", trials=200, seed=3, hw_config=hw)
    assert not r.bit_exact and r.first_mismatch.signal in ("winner", "max")
    assert r.first_mismatch.describe().startswith("trial 0: ")
