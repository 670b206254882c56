"""Formal: the parallel network (gaba.hdl.nwta.Network) wraps nothing and decides on its state:
for every input sequence at one clock per step, bounded at several.

The harness drives the network's ports freely in every clock (en, load, the master word, the
top option, b_lo within [0, b_hi] as the engine keeps it) and proves, besides the circuit's own
claims, made Asserts by ``gaba.sim.formal.CLAIMS`` (every narrowing of a named value keeps it:
the widths of docs/semantics.md; each OU flag is raised exactly when its clamp acts on the value
it travels with: the unclamped sum is carried beside both, for the claim alone):

- every x register stays within [0, x_max * 2**G];
- ``decided`` is ``max_i x_i >= stop`` of the state (in every clock with one clock per step,
  in the decision clock ``ready`` with several);
- ``winner`` is the lowest index holding the largest x of the state it describes (with one
  clock per step that state is :func:`winner_clocks` clocks old: the harness keeps copies).

With one clock per step the proof is by k-induction (every reachable state). With several
clocks per step a stage's pipeline registers are taken only in their clock of the step, so a
state the induction starts from may hold stale ones that no reachable state holds: those
Configs are bounded (every input sequence of ``depth`` clocks from reset: the claims and the
x range to the last step within it, decided and winner in the decision clocks within it).
The companions build the network from a Config whose eta clamp is twice as wide as the eta
register (the narrowing after the clamp then loses bits), with an OU clamp whose low flag fires
one LSB above the bound (a flag without its clamp), and with one whose high flag never fires (a
clamp without its flag): each fails its claim in the first steps.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from amaranth.hdl import Assert, Assume, Cat, Module, Signal

from gaba.golden.config import Config
from gaba.hdl import arith
from gaba.hdl.nwta import Network, winner_clocks
from gaba.sim.formal import prove
from tests.formal.harness import FreeInputs


class NetworkHarness(FreeInputs):
    """The properties of the network built from ``cfg``; its inputs are the harness's ports."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        super().__init__(Network(cfg, debug=True), ("en", "load", "master", "top", "b_lo"))

    def elaborate(self, platform):
        cfg = self.cfg
        m = Module()
        m.submodules.net = net = self.circuit
        self.drive(m)
        m.d.comb += Assume(self.b_lo <= cfg.b_hi)
        guard, lean = cfg.x_guard_bits, cfg.step_clocks == 1
        state = [nrn.x for nrn in net.state.neurons]
        m.d.comb += [Assert(x <= cfg.x_state_max) for x in state]
        over = Cat(*(x[guard:] >= cfg.stop_q for x in state)).any()
        with m.If(net.ready | lean):
            m.d.comb += Assert(net.decided == over)
        # the state the winner describes: ``lag`` clocks old, once that many have passed
        lag = winner_clocks(cfg)
        seen = [x[guard:] for x in state]
        for k in range(lag):
            held = [Signal.like(v, name=f"x{i}_d{k + 1}") for i, v in enumerate(seen)]
            m.d.sync += [h.eq(v) for h, v in zip(held, seen, strict=True)]
            seen = held
        age = Signal(range(lag + 1))
        with m.If(age < lag):
            m.d.sync += age.eq(age + 1)
        with m.If(net.ready & (age == lag)):
            for i, v in enumerate(seen):
                m.d.comb += Assert(v <= Cat(*seen).word_select(net.winner, len(v)))
                with m.If(i < net.winner):
                    m.d.comb += Assert(v != Cat(*seen).word_select(net.winner, len(v)))
        return m


class WideEtaClamp(Config):
    """A Config whose eta clamp reaches twice as far as the eta register holds."""

    @property
    def eta_min(self) -> int:
        return 2 * super().eta_min

    @property
    def eta_max(self) -> int:
        return 2 * super().eta_max + 1


NARROW = dict(frac_bits=8, x_int_bits=1, eta_int_bits=0, x_guard_bits=3, stop=1.0, sigma=0.9)
# name: (Config, mode, depth); mode "prove" is k-induction
CASES = {
    "lean-paper": (Config.paper(n=3), "prove", 6),
    "lean-L1": (Config.paper(n=3, latency=1), "prove", 6),
    "lean-L2": (Config.paper(n=3, latency=2), "prove", 6),
    "lean-narrow": (Config.paper(n=3, **NARROW), "prove", 6),
    "lean-wta": (Config.paper(n=3, theta=0.0, latency=1), "prove", 6),
    "P2": (Config.paper(n=2, step_clocks=2), "bmc", 12),
    "P3-L1": (Config.paper(n=2, step_clocks=3, latency=1), "bmc", 14),
    "P6-narrow": (Config.paper(n=2, step_clocks=6, **NARROW), "bmc", 20),
}
FAST = {"lean-L2"}


@pytest.mark.parametrize(
    "name", [k if k in FAST else pytest.param(k, marks=pytest.mark.slow) for k in CASES]
)  # -m formal runs every case
def test_the_network_wraps_nothing_and_decides_on_its_state(name):
    cfg, mode, depth = CASES[name]
    result = prove(NetworkHarness(cfg), f"network-{name}", depth=depth, mode=mode)
    assert result.passed, result.describe()


def test_an_eta_clamp_wider_than_its_register_fails_the_proof():
    cfg = WideEtaClamp.paper(n=2, **NARROW)
    result = prove(NetworkHarness(cfg), "network-wide-eta-clamp", depth=10, mode="bmc")
    assert result.status == "FAIL", result.describe()
    # the claim that fails is the narrowing of the clamped eta into its register
    path, line = result.failed_assert.rsplit(":", 1)
    assert path.endswith("hdl/nwta.py"), result.describe()
    assert '"eta_next"' in Path(path).read_text().splitlines()[int(line) - 1], result.describe()


def early_low_flag(value, below, above, v, low):
    # the low flag fires for a value one LSB above the bound too: a flag the clamp did not set
    return value, v < low + 2, above


def silent_high_flag(value, below, above, v, low):
    # the high flag never fires: a clamp that acts without its flag
    return value, below, above & 0


@pytest.mark.parametrize("flag", [early_low_flag, silent_high_flag])
def test_an_eta_flag_apart_from_its_clamp_fails_the_proof(monkeypatch, flag):
    clamp = arith.clamp
    monkeypatch.setattr(arith, "clamp", lambda v, low, high: flag(*clamp(v, low, high), v, low))
    cfg = Config.paper(n=2, **NARROW)
    result = prove(NetworkHarness(cfg), f"network-{flag.__name__}", depth=14)
    assert result.status == "FAIL", result.describe()
    path, line = result.failed_assert.rsplit(":", 1)
    source = Path(path).read_text().splitlines()[int(line) - 1]
    assert "arith.claim_clamp" in source, result.describe()
