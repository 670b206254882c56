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
    cfg = ARGMAX.config(n=16)
    r = ARGMAX.compare(cfg, "verilator", trials=200, seed=3, hw_config=ARGMAX.config(n=16, width=4))
    assert not r.bit_exact and r.first_mismatch.signal == "max"
    assert r.first_mismatch.describe().startswith("trial 0: max golden ")
