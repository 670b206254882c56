"""Formal: the folded network (gaba.hdl.folded.FoldedNetwork, its neurons in memory, a lane a
row a clock) decides as the parallel one-clock network does, bounded.

Both networks are loaded together (the master word, the top option and b_lo free, held from
the load as the trial engine holds them, b_lo within [0, b_hi]). The folded network runs from
the first ``en`` after the parallel one's priming clocks until the next load (the engine holds
its enable high for the trial), and the parallel network steps in the clock the folded one
commits a pass. In the clock after each commit (``ready``) the harness asserts ``decided``,
the final-state ``digest`` (of every x and eta) and both sticky flags equal.

As for the P-clock miter (tests/formal/test_step_clocks.py) the Config is the paper's without
noise. Bounded: n = 2 in one lane, 30 clocks from reset (8-clock passes: two steps compared,
the first load's outputs too). The companion folds a network of another dt.
"""

from __future__ import annotations

import pytest
from amaranth.hdl import Assert, Module, Signal

from gaba.golden.config import Config
from gaba.hdl.folded import FoldedNetwork
from gaba.hdl.nwta import Network
from gaba.sim.formal import prove
from tests.formal.harness import TrialMiter


class FoldMiter(TrialMiter):
    """The parallel one-clock network of ``cfg`` against the folded network of ``folded_cfg``."""

    def __init__(self, cfg: Config, folded_cfg: Config):
        super().__init__(cfg, Network(cfg), FoldedNetwork(folded_cfg))

    def elaborate(self, platform):
        m = Module()
        m.submodules.parallel = par = self.first
        m.submodules.folded = fold = self.second
        loaded = self.trial(m)
        running = Signal()
        with m.If(self.load):
            m.d.sync += running.eq(0)
        with m.Elif(self.en & par.ready):
            m.d.sync += running.eq(1)
        m.d.comb += [fold.en.eq(running), par.en.eq(fold.commit)]
        with m.If(loaded & fold.ready & ~self.load):
            m.d.comb += [
                Assert(fold.decided == par.decided),
                Assert(fold.digest == par.digest),
                Assert(fold.eta_sat == par.eta_sat),
                Assert(fold.r_sat == par.r_sat),
            ]
        return m


QUIET = Config.paper(n=2, sigma=0.0)


@pytest.mark.slow  # about a minute; -m formal runs it
def test_the_folded_network_decides_as_the_parallel_one():
    miter = FoldMiter(QUIET, QUIET.replace(lanes=1))
    # the networks' own claims are the network proof's (tests/formal/test_network.py)
    result = prove(miter, "folded-n2-K1", depth=30, mode="bmc", claims=False)
    assert result.passed, result.describe()


def test_a_folded_network_of_another_dt_fails_the_proof():
    miter = FoldMiter(QUIET, QUIET.replace(lanes=1, dt=2 * QUIET.params.dt))
    result = prove(miter, "folded-other-dt", depth=16, mode="bmc", claims=False)
    assert result.status == "FAIL", result.describe()
