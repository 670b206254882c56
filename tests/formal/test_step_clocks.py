"""Formal: the network of P clocks per step takes the same steps as the network of one clock
per step (a miter of two gaba.hdl.nwta.Network), bounded.

Both networks are loaded together (the master word, the top option and b_lo free, held from
the load as the trial engine holds them, b_lo within [0, b_hi]); the P-clock network works
(``en``, free) only once the one-clock network is past its priming clocks, and the one-clock
network steps when the other commits. In every decision clock of the P-clock network after a
load the harness asserts that the two debug ``state`` ports (every x, eta, generator, S and
the sticky flags) and ``decided`` are equal.

The Config is the paper's without noise (sigma = 0): with the generators on, the solver found
no answer within minutes even for the first step (it must show the same xorshift32 words
computed along two differently pipelined paths equal). Bounded from reset: two steps for
P <= 4, one step for P = 5 .. 8, the depth of each case is the clocks that takes. The
companion gives the P-clock network another dt: the states part at the first step.

With noise on, the generator's step is replaced, in both networks alike, by a Weyl step
(s + 0x9E3779B9 mod 2**32, :func:`weyl`): the miter then checks the noise path as each
network pipelines it (the generator words, the Irwin-Hall sample, c_xi*xi, eta into the
pre-activation and x) for the first step at P = 2 and 3; in that step eta(0) = 0, so the OU
product multiplies 0 and its clamp does not act. xorshift32 itself is
one function both networks call (``arith.xorshift32``), held to the golden model's generator
in simulation. The companion gives the P-clock network another sigma.
"""

from __future__ import annotations

import pytest
from amaranth.hdl import Assert, Module

from gaba.golden.config import STEP_CLOCKS_MAX, Config
from gaba.hdl import arith
from gaba.hdl.nwta import Network, decision_phase, prime_clocks
from gaba.sim.formal import prove
from tests.formal.harness import TrialMiter


class StepMiter(TrialMiter):
    """The one-clock network of ``cfg`` against the P-clock network of ``slow_cfg``."""

    def __init__(self, cfg: Config, slow_cfg: Config):
        lean = Network(cfg.replace(step_clocks=1), debug=True)
        super().__init__(cfg, lean, Network(slow_cfg, debug=True))

    def elaborate(self, platform):
        m = Module()
        m.submodules.lean = lean = self.first
        m.submodules.slow = slow = self.second
        loaded = self.trial(m)
        m.d.comb += [slow.en.eq(self.en & lean.ready), lean.en.eq(slow.commit)]
        with m.If(loaded & slow.ready):
            m.d.comb += [
                Assert(lean.state.as_value() == slow.state.as_value()),
                Assert(lean.decided == slow.decided),
            ]
        return m


QUIET = Config.paper(n=2, sigma=0.0)


def clocks_for(p: int, steps: int) -> int:
    """Clocks from the load to the decision clock after ``steps`` steps, and one more."""
    lean, staged = QUIET, QUIET.replace(step_clocks=p)
    return 1 + prime_clocks(lean) + steps * p + decision_phase(staged) + 1


CASES = [(p, 2 if p <= 4 else 1) for p in range(2, STEP_CLOCKS_MAX + 1)]


@pytest.mark.slow  # -m formal runs them
@pytest.mark.parametrize(("p", "steps"), CASES, ids=lambda v: str(v))
def test_the_p_clock_network_takes_the_one_clock_steps(p, steps):
    depth = clocks_for(p, steps)
    miter = StepMiter(QUIET, QUIET.replace(step_clocks=p))
    # the networks' own claims are the network proof's (tests/formal/test_network.py)
    result = prove(miter, f"step-clocks-P{p}", depth=depth, mode="bmc", claims=False)
    assert result.passed, result.describe()


def test_a_p_clock_network_of_another_dt_fails_the_proof():
    miter = StepMiter(QUIET, QUIET.replace(step_clocks=2, dt=2 * QUIET.params.dt))
    result = prove(miter, "step-clocks-other-dt", depth=clocks_for(2, 1), mode="bmc", claims=False)
    assert result.status == "FAIL", result.describe()


def weyl(m, s, *, name="weyl"):
    """A Weyl step of a 32-bit word: stands for xorshift32 in the noisy miters."""
    return (s[:32] + 0x9E3779B9)[:32]


NOISY = Config.paper(n=2)


@pytest.mark.slow  # 1.5 and 2.5 min; -m formal runs them
@pytest.mark.parametrize("p", [2, 3])
def test_with_noise_the_p_clock_network_takes_the_one_clock_step(monkeypatch, p):
    monkeypatch.setattr(arith, "xorshift32", weyl)
    miter = StepMiter(NOISY, NOISY.replace(step_clocks=p))
    result = prove(
        miter, f"step-clocks-noisy-P{p}", depth=clocks_for(p, 1), mode="bmc", claims=False
    )
    assert result.passed, result.describe()


def test_a_p_clock_network_of_other_noise_fails_the_proof(monkeypatch):
    monkeypatch.setattr(arith, "xorshift32", weyl)
    other = NOISY.replace(step_clocks=2, sigma=2 * NOISY.params.sigma)
    miter = StepMiter(NOISY, other)
    result = prove(
        miter, "step-clocks-other-noise", depth=clocks_for(2, 1), mode="bmc", claims=False
    )
    assert result.status == "FAIL", result.describe()
