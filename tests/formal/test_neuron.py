"""Formal: the one-clock-per-step neuron (gaba.hdl.nwta.LeanNeuron) keeps its registers in
range and its decision flag true to its state, for every input sequence (k-induction).

Its inputs are free every clock (commit, load, prime, the master word, the inhibition sum),
except that the input b stays within [0, b_hi], as the network drives it. The properties:

- ``over`` (the register the network's decision ORs) equals ``x >= stop`` of the register x;
- x never exceeds x_max with its guard bits (the register could hold 2**G - 1 more): the
  ReLU's clamp at x_max and the Euler step, which lands between x and r, keep it there.

(eta's range [eta_min, eta_max] is its register's whole range, so a property about it could not
fail; its saturation is checked against the golden model's flags in simulation.) The neuron's
own width claims are left out here: its inhibition sum is free, below its own gate too, which
no network drives (tests/formal/test_network.py proves them in the network). The companion
builds the neuron from a Config whose stop is 0.1 higher than the one the property states: a
counterexample within a few clocks of reset.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from amaranth.hdl import Assert, Assume, Module

from gaba.golden.config import Config
from gaba.hdl.nwta import LeanNeuron
from gaba.sim.formal import prove
from tests.formal.harness import FreeInputs


class NeuronHarness(FreeInputs):
    """The properties of ``cfg`` on the neuron built from ``hw_cfg`` (default ``cfg``)."""

    def __init__(self, cfg: Config, hw_cfg: Config | None = None):
        self.cfg = cfg
        neuron = LeanNeuron(hw_cfg or cfg, salt=0x9E3779B9)
        super().__init__(neuron, ("commit", "load", "prime", "master", "b", "s_inh"))

    def elaborate(self, platform):
        cfg = self.cfg
        m = Module()
        m.submodules.neuron = nrn = self.circuit
        self.drive(m)
        m.d.comb += Assume(self.b <= cfg.b_hi)
        guard = cfg.x_guard_bits
        m.d.comb += [
            Assert(nrn.over == (nrn.x[guard:] >= cfg.stop_q)),  # OVER_LINE
            Assert(nrn.x <= cfg.x_state_max),
        ]
        return m


OVER_LINE = next(
    k for k, line in enumerate(Path(__file__).read_text().splitlines(), 1) if "# OVER_LINE" in line
)
CASES = {
    "paper": Config.paper(n=4),
    "paper-L2": Config.paper(n=4, latency=2),
    "narrow": Config.paper(
        n=4, frac_bits=8, x_int_bits=1, eta_int_bits=0, x_guard_bits=3, stop=1.0, sigma=0.9
    ),
}


@pytest.mark.parametrize(
    "name", ["paper", *(pytest.param(k, marks=pytest.mark.slow) for k in CASES if k != "paper")]
)  # -m formal runs every case
def test_the_neuron_keeps_its_ranges_and_its_decision_flag(name):
    result = prove(NeuronHarness(CASES[name]), f"neuron-{name}", depth=6, claims=False)
    assert result.passed, result.describe()


def test_a_neuron_of_another_stop_fails_the_proof():
    cfg = Config.paper(n=4, dt=2.0**-4, stop=0.2, horizon=10.0)  # stop within a few steps
    hw = cfg.replace(stop=0.3)
    result = prove(NeuronHarness(cfg, hw), "neuron-other-stop", depth=12, claims=False)
    assert result.status == "FAIL", result.describe()
    assert result.failed_assert.endswith(f"test_neuron.py:{OVER_LINE}")
