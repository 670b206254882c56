"""Formal: toward "the network of P clocks per step takes the one-clock network's steps from
every reachable state", an induction over steps (the bounded miter of test_step_clocks.py
runs only from reset). What is proven, for n = 2 and the paper's Config:

- the base (:class:`TrialBase`, bounded from reset, every input free; P = 2 .. 8, without
  noise and with it, the real xorshift32): after a load, in the clock the one-clock network's
  priming ends, the P-clock network is at its step's first clock and both hold the same state
  (every x, eta, generator word and both sticky flags);
- the lemma's proven part (:class:`LeanInvariant`, k-induction on the one-clock network alone,
  every input free, the top option and b_lo held from each load as the trial engine holds
  them): once a load has come and the priming is over, the one-clock neuron's generator copies
  are its state's next four xorshift32 words (rng(t + 1) .. rng(t + 4)) and its ``over``
  register is x >= stop, in every reachable state.

The step itself (:class:`StepInduction`) is stated but not proven: every register of both
networks starts from any value (``prove(free_init=True)``); the harness assumes in the first
clock only that the P-clock network is at its step's first clock, the one-clock network past
its priming, both hold the same state, and every ahead-register of the one-clock neuron is
the function of its state that :func:`ahead_of` states (the generator words, the Irwin-Hall
sample, c_xi*xi, eta(t + 1) and eta(t + 2) with their flags, C = b + eta(t + 1), over). It
asserts, after the P-clock network's commit, the same state again. The solver found no answer
within minutes for P = 2 without noise (nor for the lemma's eta, sample and C conditions by
k-induction): each compares a function of two registers that hold equal values (the two
networks' states, or a register and the one it was shifted from), computed by two instances
of the same or a differently split circuit, and the solver, working incrementally, does not
substitute the equality. Its companions (a P-clock network of twice the dt, of twice the
sigma) fail within seconds: the free state and the assumptions leave the check able to fail.
"""

from __future__ import annotations

import pytest
from amaranth.asserts import Initial
from amaranth.hdl import Assert, Assume, Cat, Fragment, Module, Mux, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from gaba.golden.config import STEP_CLOCKS_MAX, Config
from gaba.hdl import arith
from gaba.hdl.nwta import Network, constant_product, decision_phase, prime_clocks
from gaba.sim.formal import prove
from tests.formal.harness import TrialMiter, registers


def ahead_of(m: Module, cfg: Config, regs: dict, b) -> dict:
    """What the one-clock neuron's registers ahead of the step are, as functions of its state
    (x, eta, rng) and its input ``b``, once its priming is over: the conditions, each a
    1-bit value by name. ``regs`` are the neuron's registers by name (:func:`registers`)."""
    if cfg.latency != 0:
        raise ValueError("C holds inh(t) with latency >= 1: not stated here")
    cf, multiply = cfg.coef_bits, constant_product(cfg)

    def like(reg, value, name):  # value, narrowed to the register's shape as the neuron does
        sig = Signal.like(reg, name=name)
        m.d.comb += sig.eq(value)
        return sig

    xi_reg = regs["xi_ahead"]

    def ou(eta, word, name):  # eta's OU update with the generator's next word, and its flag
        xi = like(xi_reg, arith.irwin_hall4(word), f"xi_{name}")
        total = multiply(eta, cfg.ou_a_c, cf) + multiply(xi, cfg.c_xi, cf)
        value, low, high = arith.clamp(total, cfg.eta_min, cfg.eta_max)
        return like(eta, value, name), low | high

    words = [regs[name] for name in ("rng", "rng_ahead1", "rng_ahead2", "rng_ahead3")]
    words.append(regs["rng_ahead"])
    eta1, hit1 = ou(regs["eta"], words[1], "eta1")
    eta2, hit2 = ou(regs["eta_ahead1"], words[2], "eta2")
    xi3 = like(xi_reg, arith.irwin_hall4(words[3]), "xi_3")
    return {
        **{f"rng{k + 1}": words[k + 1] == arith.xorshift32(words[k]) for k in range(4)},
        "xi": xi_reg == like(xi_reg, arith.irwin_hall4(words[4]), "xi_4"),
        "xc": regs["xc_ahead"] == like(regs["xc_ahead"], multiply(xi3, cfg.c_xi, cf), "xc_3"),
        "eta1": regs["eta_ahead1"] == eta1,
        "hit1": regs["eta_hit_ahead1"] == hit1,
        "eta2": regs["eta_ahead2"] == eta2,
        "hit2": regs["eta_hit_ahead2"] == hit2,
        "c": regs["c"] == like(regs["c"], b + regs["eta_ahead1"], "c_next"),
        "over": regs["over"] == (regs["x"][cfg.x_guard_bits :] >= cfg.stop_q),
    }


#: The conditions of :func:`ahead_of` the lemma proves (the others: see the module's text).
PROVEN = ("rng1", "rng2", "rng3", "rng4", "over")


def inputs(cfg: Config, top, b_lo) -> list:
    """Each neuron's input b from the top option and b_lo, as the network wires it."""
    return [Mux(top == i, cfg.b_hi, b_lo) for i in range(cfg.n)]


def state_of(cfg: Config, frag: Fragment) -> list:
    """The step's state of a network: each neuron's x, eta and generator, and the flags."""
    regs = registers(frag)
    words = [registers(frag, f"neuron{i}") for i in range(cfg.n)]
    return [
        *(r[name] for r in words for name in ("x", "eta", "rng")),
        regs["eta_sat_r"],
        regs["r_sat_r"],
    ]


def same(first: list, second: list):
    return Cat(*(a == b for a, b in zip(first, second, strict=True))).all()


class LeanInvariant(TrialMiter):
    """The lemma: the one-clock network of ``cfg``'s registers ahead of the step."""

    def __init__(self, cfg: Config, which=PROVEN):
        self.which = which  # the names of the conditions asserted (None: every one)
        lean = Network(cfg.replace(step_clocks=1), debug=True)
        super().__init__(cfg, lean, lean)

    def elaborate(self, platform):
        cfg = self.cfg
        m = Module()
        m.submodules.lean = frag = Fragment.get(self.first, platform)
        loaded = self.trial(m)
        m.d.comb += self.first.en.eq(self.en)
        top, b_lo = self.first.top, self.first.b_lo  # held from the load, but in a load clock
        left = registers(frag)["priming_left"]
        m.d.comb += Assert(left <= prime_clocks(1))
        with m.If(loaded & ~self.load & (left == 0)):
            for i, b in enumerate(inputs(cfg, top, b_lo)):
                for name, test in ahead_of(m, cfg, registers(frag, f"neuron{i}"), b).items():
                    if self.which is None or name in self.which:
                        m.d.comb += Assert(test)
        return m


class StepInduction(wiring.Component):
    """The step: the one-clock network of ``cfg`` against the P-clock network of
    ``slow_cfg``, from any common state at a step boundary (``prove(free_init=True)``)."""

    def __init__(self, cfg: Config, slow_cfg: Config):
        self.cfg = cfg
        self.lean = Network(cfg.replace(step_clocks=1), debug=True)
        self.slow = Network(slow_cfg, debug=True)
        ports = self.lean.signature.members
        super().__init__({name: In(ports[name].shape) for name in ("top", "b_lo")})

    def elaborate(self, platform):
        cfg = self.cfg
        m = Module()
        m.submodules.lean = lean_frag = Fragment.get(self.lean, platform)
        m.submodules.slow = slow_frag = Fragment.get(self.slow, platform)
        lean, slow = self.lean, self.slow
        first = Initial()
        # the trial's inputs: any, held (a copy of each in a register, equal after the first
        # clock); no load
        m.d.comb += [Assume(~ResetSignal()), Assume(self.b_lo <= cfg.b_hi)]
        for port in (self.top, self.b_lo):
            held = Signal.like(port, name=f"{port.name}_held")
            m.d.sync += held.eq(port)
            m.d.comb += Assume(first | (port == held))
        for net in (lean, slow):
            m.d.comb += [net.load.eq(0), net.top.eq(self.top), net.b_lo.eq(self.b_lo)]
        m.d.comb += [slow.en.eq(1), lean.en.eq(slow.commit)]

        phase = registers(slow_frag)["phase"]
        left = registers(lean_frag)["priming_left"]
        lean_state, slow_state = state_of(cfg, lean_frag), state_of(cfg, slow_frag)
        ahead = [
            test
            for i, b in enumerate(inputs(cfg, self.top, self.b_lo))
            for test in ahead_of(m, cfg, registers(lean_frag, f"neuron{i}"), b).values()
        ]
        with m.If(first):
            m.d.comb += [
                Assume(phase == 0),
                Assume(left == 0),
                Assume(same(lean_state, slow_state)),
                Assume(Cat(*ahead).all()),
            ]
        # stepped: the P-clock network has committed (the harness's register, from 0)
        stepped = Signal()
        m.d.sync += stepped.eq(stepped | slow.commit)
        with m.If(first):
            m.d.comb += Assume(~stepped)
        with m.If(slow.ready & ~stepped):
            m.d.comb += [
                Assert(lean.state.as_value() == slow.state.as_value()),
                Assert(lean.decided == slow.decided),
            ]
        with m.If(stepped):
            m.d.comb += [
                Assert(same(lean_state, slow_state)),
                Assert(phase == 0),
                Assert(left == 0),
            ]
        return m


class TrialBase(TrialMiter):
    """The base: after a load both networks reach the first step boundary in the same state."""

    def __init__(self, cfg: Config, slow_cfg: Config):
        lean = Network(cfg.replace(step_clocks=1), debug=True)
        super().__init__(cfg, lean, Network(slow_cfg, debug=True))

    def elaborate(self, platform):
        m = Module()
        m.submodules.lean = lean_frag = Fragment.get(self.first, platform)
        m.submodules.slow = slow_frag = Fragment.get(self.second, platform)
        loaded = self.trial(m)
        lean, slow = self.first, self.second
        m.d.comb += [slow.en.eq(self.en & lean.ready), lean.en.eq(slow.commit)]
        # the first step boundary: the clock the one-clock network's priming is over
        left = registers(lean_frag)["priming_left"]
        priming = Signal()
        m.d.sync += priming.eq(left != 0)
        with m.If(loaded & priming & (left == 0)):
            m.d.comb += [
                Assert(registers(slow_frag)["phase"] == 0),
                Assert(same(state_of(self.cfg, lean_frag), state_of(self.cfg, slow_frag))),
            ]
        return m


QUIET = Config.paper(n=2, sigma=0.0)
NOISY = Config.paper(n=2)
CONFIGS = {"quiet": QUIET, "noisy": NOISY}
PS = range(2, STEP_CLOCKS_MAX + 1)


@pytest.mark.slow  # 35 to 48 s; -m formal runs it
def test_the_one_clock_network_holds_its_generator_copies_as_words_of_its_state():
    result = prove(LeanInvariant(NOISY), "lean-ahead", depth=6, claims=False)
    assert result.passed, result.describe()


BASE_FAST = {(2, "noisy"), (8, "quiet")}


@pytest.mark.parametrize(
    ("p", "kind"),
    [
        (p, kind) if (p, kind) in BASE_FAST else pytest.param(p, kind, marks=pytest.mark.slow)
        for p in PS
        for kind in CONFIGS
    ],
)  # 4.5 to 6 s each; -m formal runs every case
def test_both_networks_reach_the_first_step_boundary_alike(p, kind):
    cfg = CONFIGS[kind]
    base = TrialBase(cfg, cfg.replace(step_clocks=p))
    depth = 1 + prime_clocks(1) + decision_phase(p) + 2
    result = prove(base, f"step-base-{kind}-P{p}", depth=depth, mode="bmc", claims=False)
    assert result.passed, result.describe()


# the step itself is not proven (the solver finds no answer; docs/hardware.md): these show
# only that its harness, every register free, is satisfiable and can fail, so they wait with
# the long proofs rather than stand in the default run as companions of a proof it lacks
@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "change"), [("quiet", "dt"), ("noisy", "sigma")], ids=["other-dt", "other-sigma"]
)
def test_a_p_clock_network_of_another_constant_fails_the_step(kind, change):
    cfg = CONFIGS[kind]
    other = cfg.replace(step_clocks=2, **{change: 2 * getattr(cfg.params, change)})
    miter = StepInduction(cfg, other)
    result = prove(
        miter, f"step-induction-other-{change}", depth=3, mode="bmc", claims=False, free_init=True
    )
    assert result.status == "FAIL", result.describe()
