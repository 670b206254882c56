"""Formal: "the network of P clocks per step takes the one-clock network's steps from every
reachable state", an induction over steps (the bounded miter of test_step_clocks.py runs only
from reset). For n = 2 and the paper's Config, without noise and with it, latency L = 0 .. 4:

- the base (:class:`TrialBase`, bounded, every input free; P = 2 .. 8, the real xorshift32):
  from any state (``prove(free_init=True)``: every register any value), a load; in the clock
  the one-clock network's priming ends, the P-clock network is at its step's first clock and
  both hold the same state (every x, eta, generator word and both sticky flags), and with
  L >= 1 the one-clock network's inhibition registers are :func:`behind_of`'s functions of
  the P-clock network's histories;
- the step (:class:`StepChain`, P = 2 .. 8): from any state at a step boundary where both
  networks hold the same state, the one-clock network's registers ahead of the step are
  the functions of its state that :func:`ahead_of` states and (L >= 1) its registers behind
  it the functions of the P-clock network's S and g histories that :func:`behind_of` states,
  the P-clock network's step ends in the same state and the same relations again, and both
  decide alike in its decision clock. Every register of both networks starts from any value,
  and the step is proven as a chain of lemmas, each a value of a pipeline stage of the
  P-clock network in its clock equal to the one-clock network's (the generator word, the
  Irwin-Hall sample, the OU products, eta', alpha*x, the pre-activation's partial sums, D,
  inh, pre, r*2**G - X, x'), each proven with those before it assumed. As one problem
  bitwuzla took 155 s for P = 2 without noise and yices and z3 found no answer; each lemma
  takes bitwuzla 1 to 35 s;
- the lemma (every condition of :func:`ahead_of`: the generator copies, the Irwin-Hall
  sample, c_xi*xi, eta(t + 1), eta(t + 2), their flags, ``over`` and with L = 0 C) holds in
  every reachable state of the one-clock network past a load's priming, by an induction of
  its own on the one-clock network alone (every input free): :class:`LeanPriming`, from any
  state a load and its priming end in a state the lemma describes; :class:`LeanStep`, from
  any such state one clock (``en`` 0 or 1, no load) ends in one again. Both are one-clock
  problems with every register free, a few seconds each with bitwuzla. With L >= 1 C holds
  inh(t), a function of the state of L steps ago that the one-clock network does not keep:
  its condition is :func:`behind_of`'s part, carried by the base and the step.

So the P-clock network takes the one-clock network's steps from every reachable state at a
step boundary of a trial that ``en`` does not pause (the trial engine never pauses one), at
latency 0 .. 4. A step that pauses, for any number of clocks: tests/formal/test_step_pauses.py
(a paused P-clock network keeps to the unpaused one, clock by clock, by an induction over
clocks).
"""

from __future__ import annotations

import pytest
from amaranth.asserts import Initial
from amaranth.hdl import Assert, Assume, Cat, Fragment, Module, Mux, ResetSignal, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from gaba.golden.config import STEP_CLOCKS_MAX, Config
from gaba.hdl import arith
from gaba.hdl.nwta import (
    SUM_STAGE,
    Network,
    clamp_d,
    constant_product,
    decision_phase,
    inhibition_stages,
    prime_clocks,
    relu_step,
    step_phases,
)
from gaba.sim.formal import prove
from tests.formal.harness import TrialMiter, control_agrees, ports_of, registers, signals


def ahead_of(m: Module, cfg: Config, regs: dict, b, parts: dict | None = None, inh=None) -> dict:
    """What the one-clock neuron's registers ahead of the step are, as functions of its state
    (x, eta, rng) and its input ``b``, once its priming is over: the conditions, each a
    1-bit value by name. ``regs`` are the neuron's registers by name (:func:`registers`).
    C = b + eta(t + 1) - inh(t): with latency L >= 1 inh(t) is a function of the state of L
    steps ago, which the one-clock network does not keep; its condition is stated only when
    ``inh`` gives it (:func:`behind_of`, from the P-clock network's histories)."""
    cf, multiply = cfg.coef_bits, constant_product(cfg)

    def like(reg, value, name):  # value, narrowed to the register's shape as the neuron does
        sig = Signal.like(reg, name=name)
        m.d.comb += sig.eq(value)
        return sig

    xi_reg = regs["xi_ahead"]

    def ou(eta, word, name):  # eta's OU update with the generator's next word, and its flag
        xi = like(xi_reg, arith.irwin_hall4(word), f"xi_{name}")
        decay = multiply(eta, cfg.ou_a_c, cf)
        decay = like(Signal(decay.shape()), decay, f"{name}_a")
        kick = multiply(xi, cfg.c_xi, cf)
        kick = like(Signal(kick.shape()), kick, f"{name}_c")
        if parts is not None:
            parts.update({f"xi_{name}": xi, f"{name}_a": decay, f"{name}_c": kick})
        total = decay + kick
        value, low, high = arith.clamp(total, cfg.eta_min, cfg.eta_max)
        return like(eta, value, name), low | high

    words = [regs[name] for name in ("rng", "rng_ahead1", "rng_ahead2", "rng_ahead3")]
    words.append(regs["rng_ahead"])
    eta1, hit1 = ou(regs["eta"], words[1], "eta1")
    eta2, hit2 = ou(regs["eta_ahead1"], words[2], "eta2")
    xi3 = like(xi_reg, arith.irwin_hall4(words[3]), "xi_3")
    tests = {
        **{
            f"rng{k + 1}": words[k + 1] == arith.xorshift32(m, words[k], name=f"rng_next{k}")
            for k in range(4)
        },
        "xi": xi_reg == like(xi_reg, arith.irwin_hall4(words[4]), "xi_4"),
        "xc": regs["xc_ahead"] == like(regs["xc_ahead"], multiply(xi3, cfg.c_xi, cf), "xc_3"),
        "eta1": regs["eta_ahead1"] == eta1,
        "hit1": regs["eta_hit_ahead1"] == hit1,
        "eta2": regs["eta_ahead2"] == eta2,
        "hit2": regs["eta_hit_ahead2"] == hit2,
    }
    if not cfg.latency:
        tests["c"] = regs["c"] == like(regs["c"], b + regs["eta_ahead1"], "c_next")
    elif inh is not None:
        tests["c"] = regs["c"] == like(regs["c"], b + regs["eta_ahead1"] - inh, "c_next")
    tests["over"] = regs["over"] == (regs["x"][cfg.x_guard_bits :] >= cfg.stop_q)
    return tests


def behind_of(m: Module, cfg: Config, lean: Fragment, slow: Fragment, parts: list) -> dict:
    """With latency L >= 1 (empty with L = 0), what the one-clock network's inhibition
    registers are at a step boundary, as functions of the P-clock network's histories: S(t - j)
    (``s_hist{j}``) and each neuron's g(t - j) (``g_d{j}``), j = 1 .. L, with D(t - j) =
    min(S(t - j) - g(t - j), d_max). Each neuron's D register holds D(t - L + 1) (L >= 2), its
    gate delay line g(t - 1) .. g(t - L + 2) and the tree's register banks S(t - 1) ..
    S(t - L + 2) (L >= 3; n = 2: a bank a register), the debug port's S history the S of the
    steps before (S(t - L + 1) and S(t - L), or S(t - 1) with L = 1). ``parts``, a dict a
    neuron, receives D(t - L) and inh(t) = beta*D(t - L) as ``d`` and ``inh``: C = b + eta(t +
    1) - inh(t) is :func:`ahead_of`'s condition ``c`` given that inh. The conditions, by
    name."""
    lat = cfg.latency
    if not lat:
        return {}
    cf, multiply = cfg.coef_bits, constant_product(cfg)
    slow_net, lean_net = registers(slow), registers(lean)
    tree_stages, behind = inhibition_stages(lat)
    sums = registers(lean, "sum")
    banks = [sums[f"sum_out{k}"] for k in range(tree_stages - 1)]
    banks = [sums["sum_l1_0"], *banks] if tree_stages else []
    tests = {f"tree{j + 1}": bank == slow_net[f"s_hist{j + 1}"] for j, bank in enumerate(banks)}
    for k in range(1, behind + 1):
        tests[f"s{k}"] = lean_net[f"s_prev{k}"] == slow_net[f"s_hist{lat - behind + k}"]

    def d_of(j, g, name):  # D(t - j) from the P-clock network's histories, d_bits wide
        d = Signal(unsigned(cfg.d_bits), name=name)
        m.d.comb += d.eq(clamp_d(cfg, slow_net[f"s_hist{j}"] - g))
        return d

    for i, part in enumerate(parts):
        mine, theirs = registers(lean, f"neuron{i}"), registers(slow, f"neuron{i}")
        d = d_of(lat, theirs[f"g_d{lat}"], f"d_of{i}")
        inh = Signal(unsigned(cfg.inh_bits), name=f"inh_of{i}")
        m.d.comb += inh.eq(multiply(d, cfg.beta_c, cf))
        part.update({"d": d, "inh": inh})
        if lat >= 2:
            tests[f"d{i}"] = mine["d_r1"] == d_of(lat - 1, theirs[f"g_d{lat - 1}"], f"d_r_of{i}")
        for j in range(1, tree_stages + 1):
            tests[f"g{j}_{i}"] = mine[f"g_d{j}"] == theirs[f"g_d{j}"]
    return tests


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


class LeanPriming(TrialMiter):
    """The lemma's base: from any state (``free_init``), a load in the first clock and none
    after; in the clock the priming ends (``priming_left`` 0), every condition of
    :func:`ahead_of` holds (so in the first state past the priming of every load). The
    network is built from ``built`` (a companion's other Config), else from ``cfg``."""

    def __init__(self, cfg: Config, built: Config | None = None):
        lean = Network((built or cfg).replace(step_clocks=1), debug=True)
        super().__init__(cfg, lean, lean)

    def elaborate(self, platform):
        m = Module()
        m.submodules.lean = frag = Fragment.get(self.first, platform)
        self.trial(m)
        first = Initial()
        m.d.comb += [self.first.en.eq(self.en), Assume(self.load == first)]
        left = registers(frag)["priming_left"]
        with m.If(~first & ~self.load & (left == 0)):
            for i, b in enumerate(inputs(self.cfg, self.first.top, self.first.b_lo)):
                regs = registers(frag, f"neuron{i}")
                m.d.comb += [Assert(test) for test in ahead_of(m, self.cfg, regs, b).values()]
        return m


class LeanStep(wiring.Component):
    """The lemma's step: from any state past the priming (``free_init``, ``priming_left`` 0)
    whose registers ahead of the step are :func:`ahead_of`'s functions of it, one clock
    without a load and with ``en`` held at ``en``; the next state is again such a state. The
    top option and b_lo are any, held. The two cases of ``en`` are two proofs: with ``en``
    free the solver must show each product of the lemma equal along both ways of a register
    (``ite(en, a, b)``), where it found no answer in 200 s; with ``en`` a constant each case
    takes seconds."""

    def __init__(self, cfg: Config, en: int, built: Config | None = None, which=None):
        self.cfg, self.en, self.which = cfg, en, which  # which: the conditions asserted
        self.lean = Network((built or cfg).replace(step_clocks=1), debug=True)
        ports = self.lean.signature.members
        super().__init__({name: In(ports[name].shape) for name in ("top", "b_lo")})

    def elaborate(self, platform):
        cfg, lean = self.cfg, self.lean
        m = Module()
        m.submodules.lean = frag = Fragment.get(lean, platform)
        first = Initial()
        m.d.comb += [Assume(~ResetSignal()), Assume(self.b_lo <= cfg.b_hi)]
        for port in (self.top, self.b_lo):  # any, held (equal in both clocks)
            held = Signal.like(port, name=f"{port.name}_held")
            m.d.sync += held.eq(port)
            m.d.comb += Assume(first | (port == held))
        m.d.comb += [lean.load.eq(0), lean.en.eq(self.en), lean.top.eq(self.top)]
        m.d.comb += lean.b_lo.eq(self.b_lo)
        with m.If(first):
            m.d.comb += Assume(registers(frag)["priming_left"] == 0)
            m.d.comb += Assume(control_agrees(frag, lean.config))
        for i, b in enumerate(inputs(cfg, self.top, self.b_lo)):
            tests = ahead_of(m, cfg, registers(frag, f"neuron{i}"), b)
            with m.If(first):
                m.d.comb += [Assume(test) for test in tests.values()]
            with m.Else():
                m.d.comb += [
                    Assert(test)
                    for name, test in tests.items()
                    if self.which is None or name in self.which
                ]
        return m


class StepChain(wiring.Component):
    """The step: the one-clock network of ``cfg`` against the P-clock network of ``slow_cfg``,
    from any common state at a step boundary (``prove(free_init=True)``, ``mode="bmc"``,
    depth P + 1), as a chain of lemmas (:data:`LEMMAS`).

    Assumed in the first clock: the P-clock network at its step's first clock, the one-clock
    network past its priming, both in the same state (every x, eta, generator word, both
    flags), every condition of :func:`ahead_of` on the one-clock network's registers and,
    with latency L >= 1, every condition of :func:`behind_of` (C's among them, from the
    P-clock network's S and g histories). Each lemma but ``step`` states, for each neuron,
    that a value the P-clock network makes in a stage, in that stage's clock of the step,
    equals what the one-clock network makes of the same: the generator's next word, the
    Irwin-Hall sample and the two OU products (against :func:`ahead_of`'s), eta' and its flag
    (against the one-clock network's eta(t + 1)), alpha*x, b + alpha*x, b + alpha*x + eta'
    (against C + alpha*x; with L >= 1 b + eta(t + 1) + alpha*x), D and inh (with L >= 1
    against :func:`behind_of`'s D(t - L) and inh(t)), pre (and pre*2**G - X), r*2**G - X and
    x' (where the one-clock network makes no alpha*x, pre*2**G - X or r*2**G - X, at L >= 1
    with the paper's alpha and dt, the harness makes them from its registers). ``step``
    states the decision (``decided`` and the debug state in the decision clock) and, after
    the P-clock network's commit, the same state again at its next step's first clock, with
    L >= 1 :func:`behind_of`'s conditions and C's again. ``goal`` is asserted; the lemmas named in
    ``assumed`` (proven before, under the same assumptions) are assumed: each lemma
    cuts the solver's problem where the two networks' datapaths meet. The one-clock network
    is built from ``built`` (a companion's other Config), else from ``cfg``."""

    def __init__(self, cfg: Config, slow_cfg: Config, goal: str = "step", assumed=(), built=None):
        self.cfg, self.goal, self.assumed = cfg, goal, frozenset(assumed)
        self.lean = Network((built or cfg).replace(step_clocks=1), debug=True)
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
        # stepped: the P-clock network has committed (the harness's register, from 0)
        stepped = Signal()
        m.d.sync += stepped.eq(stepped | slow.commit)
        with m.If(first):  # one Assume each: the solver takes each equality as it stands
            m.d.comb += [Assume(phase == 0), Assume(left == 0), Assume(~stepped)]
            m.d.comb += [Assume(control_agrees(lean_frag, lean.config))]
            m.d.comb += [Assume(control_agrees(slow_frag, slow.config))]
            m.d.comb += [Assume(a == b) for a, b in zip(lean_state, slow_state, strict=True)]
        lemmas: dict[str, list] = {name: [] for name in LEMMAS}
        clock_of = step_phases(self.slow.config.step_clocks)

        def lemma(name, stage, test):  # test holds in the stage's clock of the step
            lemmas[name].append(stepped | (phase != clock_of[stage]) | test)

        cf = cfg.coef_bits

        def unread(c):  # the low bits of a product's operand that the pipeline leaves out
            return arith.mulr_unread_bits(c, cf) if cfg.products == "shift-add" else 0

        bs = inputs(cfg, self.top, self.b_lo)
        parts: list[dict] = [{} for _ in bs]
        behind = behind_of(m, cfg, lean_frag, slow_frag, parts)  # (valid in every clock)
        with m.If(first):
            m.d.comb += [Assume(test) for test in behind.values()]
        lat, guard, multiply = cfg.latency, cfg.x_guard_bits, constant_product(cfg)
        made = []  # each neuron's C condition (the step lemma's with L >= 1)
        for i, b in enumerate(bs):
            name = f"neuron{i}"
            ahead_regs = registers(lean_frag, name)
            # (its values valid in every clock)
            ahead = ahead_of(m, cfg, ahead_regs, b, parts[i], parts[i].get("inh"))
            made.append(ahead["c"])
            with m.If(first):
                m.d.comb += [Assume(test) for test in ahead.values()]
            one = signals(lean_frag, name)
            own = signals(slow_frag, name, skip=ports_of(slow_frag, name))
            x = ahead_regs["x"]
            # the one-clock network's values that latency >= 1 at the paper's alpha and dt
            # does not make (its pre and x' read C and x through shifts), from its registers
            ax = one.get("ax")
            if ax is None:
                ax = Signal(own["ax"].shape(), name=f"ax_of{i}")
                m.d.comb += ax.eq(multiply(x[guard:], cfg.alpha_c, cf))
            pre = one["pre"]
            pre_x = one.get("pre_x", (pre << guard) - x)
            r_x = one.get("r_x")
            if r_x is None:
                r_x = Signal(own["r_x"].shape(), name=f"r_x_of{i}")
                m.d.comb += r_x.eq(relu_step(cfg, x, pre, pre_x)[0])
            # b + eta(t + 1): C with L = 0; with L >= 1 C holds - inh(t) too
            base = b + ahead_regs["eta_ahead1"] if lat else ahead_regs["c"]
            c_x = (base << guard) - x if lat else one["c_x"]
            lemma("rng", 0, own["rng_next"] == ahead_regs["rng_ahead1"])
            if cfg.c_xi:
                lemma("xi", 0, own["xi"] == (parts[i]["xi_eta1"] >> unread(cfg.c_xi)))
                lemma("eta_c", 2, own["eta_c"] == parts[i]["eta1_c"])
            lemma("eta_a", 2, own["eta_a"] == parts[i]["eta1_a"])
            lemma("eta", 3, own["eta_next"] == ahead_regs["eta_ahead1"])
            lemma("eta", 3, own["eta_hit"] == ahead_regs["eta_hit_ahead1"])
            lemma("ax", 0, own["ax"] == ax)
            lemma("b_ax", 1, own["b_ax"] == b + ax)
            lemma("b_ax_eta", 5, own["b_ax_eta"] == base + ax)
            lemma("b_ax_eta", 5, own["b_ax_eta_x"] == c_x + (ax << guard))
            if cfg.beta_c:
                d, inh = (parts[i]["d"], parts[i]["inh"]) if lat else (one["d"], one["inh"])
                lemma("d", SUM_STAGE, own["d"] == (d >> unread(cfg.beta_c)))
                lemma("inh", 6, own["inh"] == inh)
            lemma("pre", 7, (own["pre"] == pre) & (own["pre_x"] == pre_x))
            lemma("r_x", 7, own["r_x"] == r_x)
            lemma("x_next", 8, own["x_next"] == one["x_next"])
        decision = slow.ready & ~stepped
        after = Signal()  # the clock after the P-clock network's commit
        m.d.sync += after.eq(slow.commit & ~stepped)
        lemmas["step"] += [
            ~decision | (lean.state.as_value() == slow.state.as_value()),
            ~decision | (lean.decided == slow.decided),
            ~after | same(lean_state, slow_state),
            ~after | ((phase == 0) & (left == 0)),
            # with L >= 1 the inhibition registers are again the functions of the histories
            *(~after | test for test in (*behind.values(), *(made if lat else ()))),
        ]
        for name, tests in lemmas.items():
            if name == self.goal:
                m.d.comb += [Assert(test) for test in tests]
            elif name in self.assumed:
                m.d.comb += [Assume(test) for test in tests]
        return m


#: The lemmas of :class:`StepChain`, in the order they are proven (each assuming those before;
#: without noise there is no xi nor eta_c, without inhibition no d nor inh: no tests).
LEMMAS = (
    "rng", "xi", "eta_c", "eta_a", "eta", "ax", "b_ax", "b_ax_eta", "d", "inh", "pre", "r_x",
    "x_next", "step",
)  # fmt: skip


def prove_step(cfg: Config, slow_cfg: Config, tag: str, until: str = "step") -> list:
    """Prove :class:`StepChain`'s lemmas in order, up to ``until``; the results up to the
    first that does not pass. bitwuzla: yices and z3 find no answer for most."""
    results = []
    for k, goal in enumerate(LEMMAS[: LEMMAS.index(until) + 1]):
        if (goal in ("xi", "eta_c") and not cfg.c_xi) or (goal in ("d", "inh") and not cfg.beta_c):
            continue  # no such value (no noise, no inhibition)
        chain = StepChain(cfg, slow_cfg, goal, LEMMAS[:k])
        depth = slow_cfg.step_clocks + 1
        result = prove(
            chain, f"step-{tag}-{goal}", depth=depth, mode="bmc", solver="bitwuzla",
            claims=False, free_init=True,
        )  # fmt: skip
        results.append(result)
        if not result.passed:
            break
    return results


class TrialBase(TrialMiter):
    """The base: from any state (``free_init``), a load in the first clock and none after;
    both networks reach the first step boundary in the same state."""

    def __init__(self, cfg: Config, slow_cfg: Config):
        lean = Network(cfg.replace(step_clocks=1), debug=True)
        super().__init__(cfg, lean, Network(slow_cfg, debug=True))

    def elaborate(self, platform):
        m = Module()
        m.submodules.lean = lean_frag = Fragment.get(self.first, platform)
        m.submodules.slow = slow_frag = Fragment.get(self.second, platform)
        self.trial(m)
        first = Initial()
        lean, slow = self.first, self.second
        m.d.comb += [slow.en.eq(self.en & lean.ready), lean.en.eq(slow.commit)]
        m.d.comb += Assume(self.load == first)
        # the first step boundary: the clock the one-clock network's priming is over
        left = registers(lean_frag)["priming_left"]
        priming = Signal()
        m.d.sync += priming.eq(left != 0)
        # with latency L >= 1, the one-clock network's inhibition registers as functions of the
        # P-clock network's histories (all cleared by the load)
        parts: list[dict] = [{} for _ in range(self.cfg.n)]
        behind = list(behind_of(m, self.cfg, lean_frag, slow_frag, parts).values())
        if self.cfg.latency:
            for i, b in enumerate(inputs(self.cfg, lean.top, lean.b_lo)):
                regs = registers(lean_frag, f"neuron{i}")
                behind.append(ahead_of(m, self.cfg, regs, b, inh=parts[i]["inh"])["c"])
        with m.If(~first & priming & (left == 0)):
            m.d.comb += [
                Assert(registers(slow_frag)["phase"] == 0),
                Assert(same(state_of(self.cfg, lean_frag), state_of(self.cfg, slow_frag))),
                *(Assert(test) for test in behind),
            ]
        return m


QUIET = Config.paper(n=2, sigma=0.0)
NOISY = Config.paper(n=2)
CONFIGS = {"quiet": QUIET, "noisy": NOISY}
PS = range(2, STEP_CLOCKS_MAX + 1)


LATENCIES = range(5)


def slow_unless(fast: bool, *values):
    """A case of a parametrized proof, marked slow unless ``fast`` (the default run's)."""
    return pytest.param(*values, marks=() if fast else pytest.mark.slow)


@pytest.mark.parametrize("latency", [slow_unless(lat == 0, lat) for lat in LATENCIES])
def test_the_one_clock_network_primes_into_the_lemma(latency):
    result = prove(
        LeanPriming(NOISY.replace(latency=latency)), f"lean-priming-L{latency}", depth=6,
        mode="bmc", solver="bitwuzla", claims=False, free_init=True,
    )  # fmt: skip
    assert result.passed, result.describe()


@pytest.mark.parametrize(
    ("latency", "en"), [slow_unless(lat == 0, lat, en) for lat in LATENCIES for en in (0, 1)]
)
def test_the_one_clock_network_keeps_the_lemma(latency, en):
    result = prove(
        LeanStep(NOISY.replace(latency=latency), en), f"lean-step-L{latency}-en{en}", depth=2,
        mode="bmc", solver="bitwuzla", claims=False, free_init=True,
    )  # fmt: skip
    assert result.passed, result.describe()


@pytest.mark.parametrize(
    ("change", "factor", "which"),
    [("sigma", 2, "xc"), ("tau_eta", 2, "eta2"), ("stop", 0.5, "over")],
)
def test_a_network_of_another_constant_fails_the_lemma(change, factor, which):
    # c_xi*xi (sigma), the OU decay (tau_eta) and over (stop) each fail their own condition
    other = NOISY.replace(**{change: factor * getattr(NOISY.params, change)})
    result = prove(
        LeanStep(NOISY, 1, built=other, which=(which,)), f"lean-step-other-{change}",
        depth=2, mode="bmc", solver="bitwuzla", claims=False, free_init=True,
    )  # fmt: skip
    assert result.status == "FAIL", result.describe()


BASE_FAST = {(2, "noisy", 0), (8, "quiet", 0)}


@pytest.mark.parametrize(
    ("p", "kind", "latency"),
    [
        slow_unless((p, kind, lat) in BASE_FAST, p, kind, lat)
        for lat in LATENCIES
        for p in PS
        for kind in CONFIGS
    ],
)  # 4.5 to 6 s each; -m formal runs every case
def test_both_networks_reach_the_first_step_boundary_alike(p, kind, latency):
    cfg = CONFIGS[kind].replace(latency=latency)
    base = TrialBase(cfg, cfg.replace(step_clocks=p))
    depth = 1 + prime_clocks(cfg) + decision_phase(cfg.replace(step_clocks=p)) + 2
    result = prove(
        base, f"step-base-{kind}-P{p}-L{latency}", depth=depth, mode="bmc", claims=False,
        free_init=True,
    )  # fmt: skip
    assert result.passed, result.describe()


@pytest.mark.slow  # 55 to 115 s each, the whole chain (bitwuzla); -m formal runs it
@pytest.mark.parametrize(
    ("p", "kind", "latency"), [(p, kind, lat) for lat in LATENCIES for p in PS for kind in CONFIGS]
)
def test_the_p_clock_step_equals_the_one_clock_step(p, kind, latency):
    cfg = CONFIGS[kind].replace(latency=latency)
    results = prove_step(cfg, cfg.replace(step_clocks=p), f"{kind}-P{p}-L{latency}")
    assert results[-1].passed and results[-1].name.endswith("-step"), results[-1].describe()


@pytest.mark.parametrize("latency", [0, 1])  # the chain's last link; -m formal: all
def test_the_step_follows_from_its_lemmas(latency):
    cfg = NOISY.replace(latency=latency)
    chain = StepChain(cfg, cfg.replace(step_clocks=2), "step", LEMMAS[:-1])
    result = prove(
        chain, f"step-link-L{latency}", depth=3, mode="bmc", solver="bitwuzla", claims=False,
        free_init=True,
    )  # fmt: skip
    assert result.passed, result.describe()


@pytest.mark.parametrize(
    ("kind", "latency", "change", "lemma"),
    [
        ("quiet", 0, {"dt": 2 * QUIET.params.dt}, "x_next"),
        ("noisy", 0, {"sigma": 2 * NOISY.params.sigma}, "eta_c"),
        ("noisy", 1, {"latency": 2}, "d"),
    ],
    ids=["other-dt", "other-sigma", "other-latency"],
)  # 4 to 5 s each
def test_a_p_clock_network_of_another_constant_fails_the_step(kind, latency, change, lemma):
    # the lemma that reads the changed constant fails, the lemmas before it assumed
    cfg = CONFIGS[kind].replace(latency=latency)
    other = cfg.replace(step_clocks=2, **change)
    chain = StepChain(cfg, other, lemma, LEMMAS[: LEMMAS.index(lemma)])
    result = prove(
        chain, f"step-other-{'-'.join(change)}", depth=3, mode="bmc", solver="bitwuzla",
        claims=False, free_init=True,
    )  # fmt: skip
    assert result.status == "FAIL", result.describe()


def test_a_one_clock_network_of_another_beta_fails_the_step():
    # with latency 1, every lemma before the step assumed: the one-clock network computes
    # C's inhibition for the next step with its beta, and C is no longer the function of
    # the P-clock network's histories at the next step boundary
    cfg = NOISY.replace(latency=1)
    other = cfg.replace(beta=2 * cfg.params.beta)
    chain = StepChain(cfg, cfg.replace(step_clocks=2), "step", LEMMAS[:-1], built=other)
    result = prove(
        chain, "step-other-beta", depth=3, mode="bmc", solver="bitwuzla", claims=False,
        free_init=True,
    )  # fmt: skip
    assert result.status == "FAIL", result.describe()
