"""Formal: the network's step control (gaba.hdl.nwta.step_control) keeps its registers set a
clock ahead true to what they stand for, for every sequence of ``en`` and ``load``: ``priming``
is ``priming_left != 0`` and ``last`` is ``phase == P - 1`` (its claims, made Asserts by
``gaba.sim.formal.CLAIMS``). Proven by k-induction (every reachable state) for one clock a
step and several, with and without shared noise (whose priming is 4P clocks), as the network
builds its one copy and a pipelined network's copy per noise unit (a suffix). The companion
also sets ``last`` as the phase moves to P - 2 (a clock early): the proof fails on its claim."""

from pathlib import Path

import pytest
from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from gaba.golden.config import Config
from gaba.hdl import nwta
from gaba.sim.formal import prove


class ControlHarness(wiring.Component):
    """``step_control`` of ``cfg`` with ``en`` and ``load`` free in every clock; with
    ``early`` (the companion) ``last`` is also set as the phase moves to P - 2."""

    en: In(1)
    load: In(1)

    def __init__(self, cfg: Config, suffix: str = "", early: bool = False):
        self.cfg, self.suffix, self.early = cfg, suffix, early
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        ctl = nwta.step_control(m, platform, self.cfg, self.en, self.load, self.suffix)
        if self.early:  # after the control's own statements: this one wins
            with m.If(~self.load & ctl.moves & (ctl.phase == self.cfg.step_clocks - 3)):
                m.d.sync += ctl.last.eq(1)
        return m


CASES = {
    "P1": Config.paper(n=3),
    "P2": Config.paper(n=3, step_clocks=2),
    "P8-shared": Config.paper(n=9, step_clocks=8, latency=5, shared_noise=True),
    "P4-shared-pipelined": Config.paper(
        n=9, step_clocks=4, latency=2, shared_noise=True, pipelined=True
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_step_controls_registers_say_what_they_stand_for(name):
    cfg = CASES[name]
    harness = ControlHarness(cfg, "_0" if cfg.pipelined else "")
    result = prove(harness, f"step-control-{name}", depth=4)
    assert result.passed, result.describe()


def test_a_last_clock_set_early_fails_the_proof():
    harness = ControlHarness(CASES["P8-shared"], early=True)
    result = prove(harness, "step-control-early", depth=12, mode="bmc")
    assert result.status == "FAIL", result.describe()
    path, line = result.failed_assert.rsplit(":", 1)
    source = Path(path).read_text().splitlines()[int(line) - 1]
    assert "last: the step's last clock" in source, result.describe()
