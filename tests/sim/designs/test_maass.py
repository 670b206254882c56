"""Maass's parity gate (maass-parity) under cocotb, every input, through the registry."""

from functools import cached_property

import pytest

from gaba.golden import maass
from gaba.sim import designs

PARITY = designs.get("maass-parity")


@pytest.mark.parametrize(
    ("simulator", "d"),
    # the Verilator variant is a build of its own (half a minute): slow tier
    [pytest.param("verilator", 5, marks=pytest.mark.slow), ("icarus", 3)],
)
def test_every_input_is_bit_exact(simulator, d):
    cfg = PARITY.config(n=d)
    r = PARITY.compare(cfg, simulator, trials=1 << d)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.compared == 1 << d and r.unit == "trials"


class OtherGate(maass.MaassConfig):
    """The gate of parity with the fall's steep form a step lower (wrong at s = 2)."""

    @cached_property
    def gate(self):
        right = maass.symmetric_gate(self.truth)
        bias = list(right.bias)
        bias[3] -= 4
        return maass.BooleanGate(right.weights, tuple(bias), right.k)


def test_a_perturbed_golden_model_is_caught():
    # companion: the hardware of d = 3 held to the golden model of a wrong gate (the build above)
    cfg = PARITY.config(n=3)
    wrong = OtherGate(params=cfg.params)
    r = PARITY.compare(wrong, "icarus", trials=8, hw_config=cfg)
    assert not r.bit_exact and r.first_mismatch.signal in ("value", "mask")
