"""Formal: a step that ``en`` pauses, for any number of pause clocks anywhere in it, takes the
networks where the unpaused step takes them (n = 2, the paper's Config, latency 0 .. 4, noise
on and off).

What ``en`` gates: in the one-clock network every register (x, ``over``, the noise pipeline
ahead of the step, C, the inhibition's delay lines, the tree, the flags) moves only at a step
(``commit``, which ``en`` gates) or in a priming clock (which runs whatever ``en`` is); only
the arg-max pipeline behind ``winner`` is free-running. In the P-clock network the phase, the
state, the S and g histories and the flags move only when it advances, but a stage's pipeline
registers (``<name>_q``) are taken in every cycle of their clock of the step, paused or not
(en does not fan out to them), and the adder tree and the arg-max are free-running pipelines.
So "a pause holds every register" is true of the one-clock network past its priming and false
of the P-clock network; what holds there is a relation to the same network clocked only when
``en`` is high:

- :class:`LeanPause` (one clock from any state past the priming, no load, ``en`` = 0): every
  register of the one-clock network but the arg-max pipeline's keeps its value, so ``decided``
  and the debug state do too;
- :class:`Stutter` (one clock from any pair of states in the relation, ``en`` 0 or 1): W, the
  P-clock network of ``en``, against U, the same network with ``en`` = 1 whose every register is
  enabled only by ``en`` (``EnableInserter``: U runs through the unpaused step's states, each
  held while W pauses). The relation: the same phase, the same value in every register but the
  pipelines', in every stage register of a clock of the step before the current one, in every
  tree and arg-max register bank before the current clock's (and U's such banks hold the sum
  and arg-max of the current state: the pipeline has filled). It holds again after the clock,
  and wherever it holds both networks show the same ``ready``, ``decided``, ``winner`` and debug
  state, and W commits exactly when ``en`` is high and U commits.

The case ``en`` = 1 is a proof for each phase 0 .. P - 1 (the phase a constant, the relation's
conditions are too: with the phase free bitwuzla took 100 s at P = 2, fixed 2 s), which are
the phases a run from a step boundary reaches. At a step boundary (phase 0) the relation asks
only for the same phase, state, histories and flags, so it holds when U starts as a copy of W;
by induction over clocks it holds in every clock after, whatever ``en`` does. U is the
unpaused network (held in the pause clocks), whose step
:class:`tests.formal.test_step_induction.StepChain` proves equal to the one-clock step from
any pipeline contents; the one-clock network steps when W commits and, between, holds (the
first property). So every step that pauses, for any number of clocks anywhere, equals the
unpaused step.
"""

from __future__ import annotations

import re

import pytest
from amaranth.asserts import Initial
from amaranth.hdl import (
    Assert,
    Assume,
    Const,
    EnableInserter,
    Fragment,
    Module,
    ResetSignal,
    Signal,
    Value,
)
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from gaba.golden.config import Config
from gaba.hdl.nwta import Network, Neuron, euler_stages, step_phases
from gaba.hdl.tree import AdderTree, ArgMax
from gaba.sim.formal import prove
from tests.formal.harness import control_agrees, registers
from tests.formal.test_step_induction import CONFIGS, LATENCIES, NOISY, PS, QUIET, slow_unless


def parts_of(frag: Fragment) -> list[tuple[str, ...]]:
    """The paths of a network's fragment and of its submodules (one level: the neurons, the
    tree, the arg-max)."""
    return [(), *((name,) for _, name, _ in frag.subfragments)]


class LeanPause(wiring.Component):
    """The one-clock network of ``cfg`` (latency and noise as it says) from any state
    (``free_init``) with its priming over (unless ``priming``: the companion), no load, ``en``
    = 0: after the clock every register but the arg-max pipeline's (``winner`` only) holds the
    value it had, and so ``decided`` and the debug state."""

    def __init__(self, cfg: Config, priming: bool = False):
        self.cfg, self.priming = cfg, priming
        self.lean = Network(cfg.replace(step_clocks=1), debug=True)
        ports = self.lean.signature.members
        super().__init__({name: In(ports[name].shape) for name in ("master", "top", "b_lo")})

    def elaborate(self, platform):
        lean = self.lean
        m = Module()
        m.submodules.lean = frag = Fragment.get(lean, platform)
        first = Initial()
        m.d.comb += [Assume(~ResetSignal()), lean.load.eq(0), lean.en.eq(0)]
        m.d.comb += [getattr(lean, name).eq(getattr(self, name)) for name in ("master", "top")]
        m.d.comb += lean.b_lo.eq(self.b_lo)
        with m.If(first):
            m.d.comb += Assume(control_agrees(frag, lean.config))
            if not self.priming:
                m.d.comb += Assume(registers(frag)["priming_left"] == 0)
        kept = [lean.decided, lean.state.as_value()]
        for path in parts_of(frag):
            if path != ("argmax",):
                kept += registers(frag, *path).values()
        for value in kept:
            was = Signal(value.shape())
            m.d.sync += was.eq(value)
            m.d.comb += Assert(first | (value == was))
        return m


def stage_clocks(cfg: Config, nrn: Neuron) -> dict[str, int]:
    """The clock of the step in which the P-clock neuron ``nrn`` of ``cfg`` takes each of its
    stage registers (``<name>_q``): its stages (:func:`euler_stages`) built again, recorded."""
    made: dict[str, Signal] = {}
    stage: dict[str, int] = {}

    def put(at, name, value, shape=None):
        made[name] = Signal(Value.cast(value).shape() if shape is None else shape)
        stage[name] = at
        return made[name]

    phases = step_phases(cfg.step_clocks)
    state = {"x": nrn.x, "eta": nrn.eta, "rng": nrn.rng, "b": nrn.b, "g_old": nrn.g_sum}
    euler_stages(
        Module(),  # a scratch module: only the stages are recorded
        cfg,
        put,
        lambda at, name: made[name],
        lambda a, b: phases[a] == phases[b],
        lambda at, name: state[name],
        nrn.s_inh,
    )
    return {f"{name}_q": phases[at] for name, at in stage.items()}


#: A tree or arg-max register's bank (n = 2: one level, its register, then the output ones).
BANK = re.compile(r"(?:sum|max|index)_(?:[lr]1_0|out(\d+))$")


def bank_of(name: str) -> int:
    found = BANK.match(name)
    if found is None:
        raise ValueError(f"{name} is no register bank of a two-input tree")
    return 0 if found.group(1) is None else int(found.group(1)) + 1


class Stutter(wiring.Component):
    """W, the P-clock network of ``cfg`` with ``en`` (0 or 1, a proof each), against U, the
    network of ``built`` (default ``cfg``) with ``en`` = 1 whose registers are all enabled only
    by ``en`` (``EnableInserter``), from any pair of states in the relation (see the module);
    after one clock the relation holds again; in both clocks both show the same ``ready``, in
    ``ready`` the same ``decided``, ``winner`` and debug state, and W commits exactly when U
    does and ``en`` is high. Every register starts from any value (``free_init``), the phase
    ``phase`` if given; no load; the top option and b_lo are any, in each clock. With
    ``tight`` (the companion) the relation also asks the stage registers of the current clock
    of the step to be equal (W takes them again when it pauses)."""

    def __init__(
        self,
        cfg: Config,
        en: int,
        phase: int | None = None,
        built: Config | None = None,
        tight: bool = False,
    ):
        if cfg.n != 2:
            raise ValueError("The relation names the register banks of two-input trees: n = 2")
        self.cfg, self.en, self.phase, self.tight = cfg, en, phase, tight
        self.w = Network(cfg, debug=True)
        self.u = Network(built or cfg, debug=True)
        ports = self.w.signature.members
        super().__init__({name: In(ports[name].shape) for name in ("top", "b_lo")})

    def elaborate(self, platform):
        cfg, w, u = self.cfg, self.w, self.u
        m = Module()
        en = Const(self.en, 1)
        m.submodules.w = w_frag = Fragment.get(w, platform)
        m.submodules.u = u_frag = Fragment.get(EnableInserter(en)(u), platform)
        first = Initial()
        m.d.comb += Assume(~ResetSignal())
        for net in (w, u):
            m.d.comb += [net.load.eq(0), net.top.eq(self.top), net.b_lo.eq(self.b_lo)]
        m.d.comb += [w.en.eq(en), u.en.eq(1)]

        # what the banks of a filled pipeline hold: the sum and arg-max of the current state
        # (W's; where the relation holds U's is the same)
        m.submodules.full_sum = full_sum = AdderTree(cfg.n, cfg.x_bits)
        m.submodules.full_max = full_max = ArgMax(cfg.n, cfg.x_bits)
        neurons = [w_frag.find_subfragment(f"neuron{i}").origins[0] for i in range(cfg.n)]
        for i, nrn in enumerate(neurons):
            m.d.comb += [full_sum.i[i].eq(nrn.g_sum), full_max.i[i].eq(nrn.x[cfg.x_guard_bits :])]
        filled = {"sum": full_sum.o, "max": full_max.max, "index": full_max.index}

        phase = registers(w_frag)["phase"]
        with m.If(first):
            m.d.comb += Assume(control_agrees(w_frag, cfg))
            m.d.comb += Assume(control_agrees(u_frag, u.config))
            if self.phase is not None:
                m.d.comb += Assume(phase == self.phase)
        clocks = stage_clocks(cfg, neurons[0])
        relation = []
        for path in parts_of(w_frag):
            ours, theirs = registers(w_frag, *path), registers(u_frag, *path)
            for name, reg in ours.items():
                other = theirs[name]
                if path in (("sum",), ("argmax",)):
                    after = phase > bank_of(name)  # filled in the clocks before this one
                    relation.append(~after | (other == filled[name.split("_")[0]]))
                elif name in clocks:
                    at = clocks[name]
                    after = (phase >= at) if self.tight else (phase > at)
                else:
                    after = Const(1, 1)
                relation.append(~after | (reg == other))
        with m.If(first):  # one Assume each: the solver takes each as it stands
            m.d.comb += [Assume(test) for test in relation]
        with m.Else():
            m.d.comb += [Assert(test) for test in relation]
        m.d.comb += [Assert(w.ready == u.ready), Assert(w.commit == (en & u.commit))]
        with m.If(w.ready):
            m.d.comb += [
                Assert(w.decided == u.decided),
                Assert(w.winner == u.winner),
                Assert(w.state.as_value() == u.state.as_value()),
            ]
        return m


def check(harness, name: str, passes: bool = True):
    result = prove(
        harness, name, depth=2, mode="bmc", solver="bitwuzla", claims=False, free_init=True
    )
    assert result.passed if passes else result.status == "FAIL", result.describe()
    return result


@pytest.mark.parametrize("latency", [slow_unless(lat == 0, lat) for lat in LATENCIES])
def test_a_pause_holds_the_one_clock_network(latency):  # 2.5 s each
    check(LeanPause(NOISY.replace(latency=latency)), f"pause-lean-L{latency}")


def test_a_priming_clock_moves_the_one_clock_network_while_paused():
    check(LeanPause(NOISY, priming=True), "pause-lean-priming", passes=False)


@pytest.mark.parametrize(
    ("p", "kind", "latency"),
    [
        slow_unless((p, kind, lat) == (2, "quiet", 0), p, kind, lat)
        for lat in LATENCIES
        for p in PS
        for kind in CONFIGS
    ],
)
def test_a_paused_p_clock_network_keeps_to_the_unpaused_one(p, kind, latency):
    # a pause clock (any phase), then an advancing clock in each phase (1 to 3 s a proof)
    cfg = CONFIGS[kind].replace(step_clocks=p, latency=latency)
    tag = f"{kind}-P{p}-L{latency}"
    check(Stutter(cfg, 0), f"pause-stutter-{tag}-en0")
    for phase in range(p):
        check(Stutter(cfg, 1, phase), f"pause-stutter-{tag}-en1-phase{phase}")


def test_a_pause_moves_the_stage_registers_of_its_clock():
    check(Stutter(NOISY.replace(step_clocks=3), 0, tight=True), "pause-tight", passes=False)


def test_an_unpaused_network_of_another_dt_parts():
    cfg = QUIET.replace(step_clocks=2)
    other = cfg.replace(dt=2 * cfg.params.dt)
    check(Stutter(cfg, 1, built=other), "pause-other-dt", passes=False)
