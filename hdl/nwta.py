"""The parallel nWTA / conventional WTA network: one Euler step of all n neurons at a time.

With ``Config.step_clocks`` = 1 a step takes one clock, and only the x loop is in it: the
noise, which never depends on x, runs ahead (its own registers, filled in four priming
clocks after each load, :func:`prime_clocks`), and with latency L >= 1 so does the inhibition
(the adder tree, D and beta*D pipelined into L registers). Each neuron's x update then reads one
register C = b + eta(t+1) - inh(t) and is a few adders and a 3-way choice. With P > 1 clocks
the step is cut into nine stages by registers (:func:`step_phases` maps each stage to a clock
of the step), so that every register-to-register path holds about one multiplier or two
adders; the state registers change only at the step's last clock, so the per-step state is
the same at any P. With ``Config.shared_noise`` a step of P clocks keeps the one-clock x loop
(in the step's last clock) and moves the noise into a :class:`NoiseUnit` per P neurons.
"""

from __future__ import annotations

from types import SimpleNamespace

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.hdl import arith, dsp
from gaba.hdl.tree import AdderTree, ArgMax

__all__ = [
    "LeanNeuron",
    "Network",
    "Neuron",
    "NoiseUnit",
    "clamp_d",
    "constant_product",
    "decision_phase",
    "evidence_ports",
    "euler_stages",
    "gate",
    "inhibition_stages",
    "network_ports",
    "noise_layout",
    "noise_product",
    "noise_step",
    "prime_clocks",
    "relu_step",
    "state_layout",
    "step_phases",
    "winner_clocks",
]

#: The nine stages of a step (docs/semantics.md steps 1 to 5, regrouped by delay):
#: 0. alpha*x, the generator's next word, its Irwin-Hall sum;
#: 1. the two OU products' halves (arith.mulr_parts), b + alpha*x;
#: 2. the OU products (the halves joined);
#: 3. the OU clamp (eta');
#: 4. the inhibition's argument d = min(S - g, d_max) (S from the adder tree);
#: 5. the halves of beta*d; b + alpha*x + eta';
#: 6. inh = beta*d;
#: 7. pre = b + alpha*x + eta' - inh, the ReLU clamp, r - x;
#: 8. x' = x + k*(r - x), and the state registers take the step.
#: A product whose halves and join fall in the same clock is one multiplier (a DSP block).
STAGES = 9
#: The stage that reads the global sum S.
SUM_STAGE = 4


def step_phases(step_clocks: int) -> tuple[int, ...]:
    """The clock of the step (0 .. step_clocks - 1) in which each of the nine stages works.

    Stage 4 reads the global sum S, so with more than one clock the adder tree gets every
    clock before stage 4's (its pipeline depth is :func:`decision_phase`), which is always
    before the step's last clock (the engine decides there and stops the network in time).
    Six clocks give every multiplier a clock of its own and the tree two clocks; seven give
    the tree three (large n); eight split every multiplier over two clocks (for devices
    without multiplier blocks), the tree keeping three.
    """
    if isinstance(step_clocks, bool) or not isinstance(step_clocks, int) or step_clocks < 1:
        raise ValueError(f"Clocks per step must be a positive integer, not {step_clocks!r}")
    table = {
        1: (0, 0, 0, 0, 0, 0, 0, 0, 0),
        2: (0, 0, 0, 0, 0, 1, 1, 1, 1),
        3: (0, 0, 0, 1, 1, 1, 1, 2, 2),
        4: (0, 1, 1, 1, 1, 2, 2, 3, 3),
        5: (0, 1, 1, 2, 2, 3, 3, 4, 4),
        6: (0, 1, 1, 2, 2, 3, 3, 4, 5),
        7: (0, 1, 1, 2, 3, 4, 4, 5, 6),
    }
    p = step_clocks
    return table.get(p, (0, 1, 2, 3, p - 5, p - 4, p - 3, p - 2, p - 1))


def decision_phase(cfg: Config) -> int:
    """The clock of each step in which S and the arg-max describe the step's starting state.

    The engine decides in this clock, and the debug ``state`` port is read in it: 0 with one
    clock per step; with a noise unit per P neurons (``shared_noise``), the arg-max's depth
    (the state holds still from the step's first clock); else the depth of the
    (free-running) adder-tree and arg-max pipelines.
    """
    if cfg.shared_noise:
        return cfg.argmax_depth
    return step_phases(cfg.step_clocks)[SUM_STAGE]


def constant_product(cfg: Config):
    """The function ``(v, c, cf) -> mulr(v, c, cf)`` that builds the Config's products by
    constants: shifts and adds or a multiplier (``Config.products``)."""
    return arith.mulr_csd if cfg.products == "shift-add" else arith.mulr


def prime_clocks(cfg: Config) -> int:
    """Clocks after each load before the first step: 4 with one clock per step (the noise
    pipeline fills, :class:`LeanNeuron`), four steps' clocks with a noise unit per P neurons
    (:class:`NoiseUnit`), else 0."""
    if cfg.shared_noise:
        return 4 * cfg.step_clocks
    return 4 if cfg.step_clocks == 1 else 0


def inhibition_stages(latency: int) -> tuple[int, int]:
    """With one clock per step: the adder tree's register stages (also the depth of each
    neuron's gate delay line), and how many steps the tree's output is ahead of S(t - L).

    The inhibition path holds L registers: with L >= 2 the tree's L - 2, then D, then C (so
    beta*D has a clock of its own); with L = 1 only C (tree, D and beta*D in one clock);
    with L = 0 none (inside the step)."""
    if latency >= 2:
        return latency - 2, 2
    return 0, latency


def winner_clocks(cfg: Config) -> int:
    """Clocks the winner output lags the state with one clock per step: the arg-max is a
    free-running pipeline with a register after every two rounds of its tournament (off the
    step's loop; the engine waits this long after the decision). 0 with several clocks per
    step, where the arg-max is ready in the decision clock."""
    if cfg.step_clocks > 1:
        return 0
    return cfg.argmax_depth


def state_layout(cfg: Config) -> data.StructLayout:
    """Layout of the debug ``state`` port: every register that lockstep comparison reads.

    ``neurons[i]`` holds the x register X (with its guard bits), eta (two's complement) and
    the generator state of neuron i after
    the steps done so far; ``s_inh`` is the sum S(t - L) the next step's inhibition uses;
    ``eta_sat`` and ``r_sat`` are the sticky flags.
    """
    neuron = data.StructLayout(
        {
            "x": unsigned(cfg.x_state_bits),
            "eta": signed(cfg.eta_bits),
            "rng": unsigned(32),
        }
    )
    return data.StructLayout(
        {
            "neurons": data.ArrayLayout(neuron, cfg.n),
            "s_inh": unsigned(cfg.s_bits),
            "eta_sat": 1,
            "r_sat": 1,
        }
    )


def network_ports(cfg: Config) -> dict:
    """The ports every network has, parallel or folded (see :class:`Network`), without the
    debug ones: what :class:`gaba.hdl.engine.TrialEngine` drives and reads."""
    return {
        "en": In(1),
        "load": In(1),
        "master": In(32),
        "top": In(range(cfg.n)),
        "b_lo": In(unsigned(cfg.x_bits)),
        "ready": Out(1),
        "commit": Out(1),
        "decided": Out(1),
        "winner": Out(range(cfg.n)),
        "eta_sat": Out(1),
        "r_sat": Out(1),
        "digest": Out(32),
    }


def evidence_ports(cfg: Config) -> dict:
    """The evidence-in network's inputs in place of ``top`` and ``b_lo`` (see
    :class:`Network`)."""
    return {
        "b": In(data.ArrayLayout(unsigned(cfg.x_bits), cfg.n)),
        "theta": In(unsigned(cfg.x_bits)),
        "stop": In(unsigned(cfg.x_bits)),
    }


def _neuron_ports(cfg: Config) -> dict:
    """The ports both kinds of neuron have (see :class:`Neuron`)."""
    return {
        "commit": In(1),
        "load": In(1),
        "master": In(32),
        "b": In(unsigned(cfg.x_bits)),
        "s_inh": In(unsigned(cfg.s_bits)),
        "x": Out(unsigned(cfg.x_state_bits)),
        "eta": Out(signed(cfg.eta_bits)),
        "rng": Out(32, init=1),
        "g_sum": Out(unsigned(cfg.x_bits)),
        "eta_hit": Out(1),
        "r_hit": Out(1),
    }


def gate(cfg: Config, xv, theta=None):
    """Step 1's gate of x (the register's view): x if x >= theta_q (or the run-time
    ``theta``), else 0."""
    return Mux(xv >= (cfg.theta_q if theta is None else theta), xv, 0)


def clamp_d(cfg: Config, d_full):
    """Step 2's D = min(S - g, d_max) of ``d_full`` = S - g >= 0, d_bits wide (lossless)."""
    return Mux(d_full > cfg.d_max, cfg.d_max, d_full[: cfg.d_bits])


def relu_step(cfg: Config, x, pre, pre_x):
    """Steps 4 and 5's ReLU as r*2**G - X, chosen among ``pre_x`` = pre*2**G - X (computed
    beside pre), -X and x_max*2**G - X (the clamps): clamp(pre, 0, x_max)*2**G - X without
    an adder after the clamp. Returns it (in [-X_max, X_max]) and pre > x_max (r_sat's)."""
    r_low, r_high = pre < 0, pre > cfg.x_max
    return Mux(r_low, -x, Mux(r_high, cfg.x_state_max - x, pre_x)), r_high


def _power_of_two(c: int, cf: int) -> int | None:
    """``a`` where the coefficient ``c`` (Q0.cf) is 2**-a with 1 <= a <= cf, else None."""
    if c <= 0 or c & (c - 1) or c.bit_length() - 1 >= cf:
        return None
    return cf - (c.bit_length() - 1)


#: The attributes of a register that copies another's value for a part of the device (a noise
#: unit's copy of the step control, of the inputs, of the load and of S): ``keep``, which the
#: board builds carry from the signal to its flip-flop (``boards.build.KEEP_COPIES``), since
#: synthesis otherwise merges the equal copies back into one register driving every part
COPY_ATTRS = {"keep": 1}


def _staging(m: Module, on: bool, *, copy: bool = False):
    """``staged(name, value)``: ``value`` through a free-running register named ``name`` if
    ``on``, else ``value`` itself; with ``copy`` the register carries :data:`COPY_ATTRS`."""

    def staged(name, value):
        if not on:
            return value
        reg = Signal(value.shape(), name=name, attrs=COPY_ATTRS if copy else {})
        m.d.sync += reg.eq(value)
        return reg

    return staged


def step_control(m: Module, platform, cfg: Config, en, load, suffix: str = ""):
    """The parallel network's step control from its ``en`` and ``load``: the priming count
    after a load (:func:`prime_clocks`), the step's clock (``phase``, 0 .. P - 1), and from
    them ``priming``, ``moves`` (the phase and the noise units move on), ``last`` (the step's
    last clock), ``commit`` (the state takes the step), ``ready`` (the decision clock) and,
    with shared noise, ``first`` (the first priming step, a register). ``suffix`` names a
    copy's registers.

    ``priming`` and ``last`` are registers, each set a clock ahead from the count and the
    phase (claims say they agree), so that ``moves`` and ``commit``, which reach the clock
    enables of every state register a copy serves, are one LUT from flip-flops. A copy's
    registers carry :data:`COPY_ATTRS`."""
    clocks, primes = cfg.step_clocks, prime_clocks(cfg)
    attrs = COPY_ATTRS if suffix else {}
    priming = Const(0, 1)
    if primes:
        # the clocks after a load fill the noise pipeline (with shared noise, the noise
        # units' memories); no step is taken in them
        left = Signal(range(primes + 1), name=f"priming_left{suffix}", attrs=attrs)
        priming = Signal(name=f"priming{suffix}", attrs=attrs)  # left != 0
        with m.If(load):
            m.d.sync += [left.eq(primes), priming.eq(1)]
        with m.Elif(priming):
            m.d.sync += [left.eq(left - 1), priming.eq(left != 1)]
        arith.claim(m, platform, priming == (left != 0), "priming: the count is not done")
    advance = en & ~load & ~priming
    moves = advance | priming
    if clocks == 1:
        phase, last = Const(0, 1), Const(1, 1)
    else:
        phase = Signal(range(clocks), name=f"phase{suffix}", attrs=attrs)
        last = Signal(name=f"last{suffix}", attrs=attrs)  # phase == clocks - 1
        with m.If(load):
            m.d.sync += [phase.eq(0), last.eq(0)]
        with m.Elif(moves):
            m.d.sync += [phase.eq(Mux(last, 0, phase + 1)), last.eq(phase == clocks - 2)]
        arith.claim(m, platform, last == (phase == clocks - 1), "last: the step's last clock")
    first = None
    if cfg.shared_noise:
        # the first of the four priming steps (left > 3P), a register of its own: it reaches
        # every unit
        first = Signal(name=f"first_priming_step{suffix}", attrs=attrs)
        with m.If(load):
            m.d.sync += first.eq(1)
        with m.Elif(left == 3 * clocks + 1):
            m.d.sync += first.eq(0)
    return SimpleNamespace(
        priming=priming,
        moves=moves,
        phase=phase,
        last=last,
        commit=advance & last,
        ready=(phase == decision_phase(cfg)) & ~priming,
        first=first,
    )


def _history(m: Module, value, depth: int, load, step, name: str):
    """``value`` as it was ``depth`` steps ago: a chain of registers taken at each ``step``,
    cleared by ``load`` (the value before the first step is 0)."""
    for k in range(depth):
        reg = Signal.like(value, name=f"{name}{k + 1}")
        with m.If(load):
            m.d.sync += reg.eq(0)
        with m.Elif(step):
            m.d.sync += reg.eq(value)
        value = reg
    return value


class Network(wiring.Component):
    """n neurons with global (nonlinear) inhibition, as defined by ``gaba.golden.fixed``.

    While ``en`` is high the network works on one Euler step of every neuron from the current
    state (docs/semantics.md, steps 1 to 5), ``cfg.step_clocks`` clocks per step; the state
    registers take the step in its last clock (``commit``). ``load`` starts a trial instead.
    The decision outputs describe the state after the last step in clock
    :func:`decision_phase` of each step (``ready``); with one clock per step, always.

    Parameters
    ----------
    cfg : Config
        Widths, constants, latency, clocks per step and n; the Config the golden model runs.
    debug : bool
        Add the ``state`` port (every register, for lockstep comparison; valid with ``ready``).

    Members
    -------
    en : In(1)
        Work on the step this cycle.
    load : In(1)
        Start a trial this cycle (priority over ``en``): x = eta = 0, generators seeded from
        ``master``, inhibition history and sticky flags cleared, back to the step's first clock.
    master : In(32)
        The trial's master word (sampled when ``load`` is high).
    top : In(range(n))
        The top-input option; it receives ``b_hi``, every other neuron ``b_lo``. Hold it for
        the whole trial.
    b_lo : In(x_bits)
        Input of the weaker options (Config's ``b_lo`` unless the host sets a gap). Hold it
        for the whole trial.
    ready : Out(1)
        This is the step's decision clock: ``decided``, ``winner`` and ``state`` are valid.
    commit : Out(1)
        The state registers take the step at the end of this cycle.
    decided : Out(1)
        Some x_i >= stop_q.
    winner : Out(range(n))
        Lowest index holding the largest x; with one clock per step, of the state
        :func:`winner_clocks` clocks ago.
    eta_sat, r_sat : Out(1)
        Sticky saturation flags.
    digest : Out(32)
        Final-state digest of x and eta (``gaba.golden.fixed.digest``).
    state : Out(state_layout(cfg))
        Only with ``debug``.
    b, theta, stop : In
        Only with ``evidence`` (one clock per step, no lanes), in place of ``top`` and
        ``b_lo`` (``gaba.golden.evidence``): the inputs b_i, x_bits each, each within
        [0, b_hi]; the gate threshold (nWTA; conventional WTA gates nothing) and the decision
        threshold, held for the trial. The network reads ``b`` for step t + 1 in the clock
        that takes step t (and for step 0 in the last priming clock): C = b + eta - inh is
        computed a step ahead.
    """

    def __init__(self, cfg: Config, *, debug: bool = False, evidence: bool = False):
        if not isinstance(cfg, Config):
            raise ValueError(f"Network needs a gaba Config, not {cfg!r}")
        if evidence and (cfg.step_clocks != 1 or cfg.lanes is not None):
            raise ValueError(
                "The evidence-in network is the parallel one of one clock per step "
                f"(step_clocks 1, no lanes), not step_clocks {cfg.step_clocks}, "
                f"lanes {cfg.lanes}"
            )
        self._cfg, self._debug, self._evidence = cfg, debug, evidence
        ports = network_ports(cfg)
        if evidence:
            del ports["top"], ports["b_lo"]
            ports.update(evidence_ports(cfg))
        if debug:
            ports["state"] = Out(state_layout(cfg))
        super().__init__(ports)

    @property
    def config(self) -> Config:
        return self._cfg

    def elaborate(self, platform):
        # The neurons share one global sum S of gated activations; each neuron subtracts its
        # own g to exclude self-inhibition, so the circuit has O(n) adders, not O(n^2).
        #
        # One clock per step (the lean network, :class:`LeanNeuron`): the adder tree sums the
        # gates of the *current* state, x(t) during step t, through inhibition_stages(L)
        # stages enabled by commit (each neuron's own g through a delay line as deep), so the
        # neuron computes inh(t + 1) a step ahead and registers it (in C) for the next step.
        # With L = 0 the tree is combinational and the inhibition is computed inside the
        # step. Load clears the pipeline (x(t < 0) = 0).
        # The decision reads one register per neuron (x >= stop, taken with x), so the
        # network's enable waits only for an OR of n bits; the winner comes from a pipelined
        # arg-max, winner_clocks(cfg) clocks behind the state.
        #
        # P > 1 clocks per step: the tree sums the gates of the *current* state, which holds
        # still for the whole step, through a free-running pipeline of decision_phase(P)
        # stages, so S(x(t)) is ready in time for stage 4; with latency L an L-deep history
        # of S, taken at each commit and cleared by load, supplies S(x(t - L)) instead. The
        # arg-max has the same pipeline depth, so the decision is valid in the same clock.
        #
        # Each neuron is a module of its own: the Verilog reads neuron by neuron, and the
        # converter handles one small module at a time.
        cfg = self._cfg
        n, clocks, lat = cfg.n, cfg.step_clocks, cfg.latency
        shared = cfg.shared_noise
        lean = cfg.one_clock_x_loop  # the x loop alone in the step's (last) clock
        tree_depth = 0 if lean else decision_phase(cfg)
        m = Module()

        ctl = step_control(m, platform, cfg, self.en, self.load)
        m.d.comb += [self.commit.eq(ctl.commit), self.ready.eq(ctl.ready)]

        if cfg.pipelined:
            # the tree's stages as a history of its sum taken at each commit, the tree itself
            # a free-running pipeline that settles in the clocks before the commit that takes
            # its sum: before the history's first register (L >= 3), or before the neuron's
            # S - g register and D's (L = 2), or its S - g and beta*D registers (L = 1)
            tree_stages, behind = inhibition_stages(lat)
            after = 0 if tree_stages else 1 if lat == 2 else 2
            free = min((n - 1).bit_length(), clocks - 1 - after)
            m.submodules.sum = tree = AdderTree(n, cfg.x_bits, stages=free)
            m.d.comb += [tree.en.eq(1), tree.clr.eq(0)]
            s_feed = _history(m, tree.o, tree_stages, self.load, self.commit, "s_stage")
            s_inh = _history(m, s_feed, behind, self.load, self.commit, "s_prev")
        elif lean:
            tree_stages, behind = inhibition_stages(lat)
            m.submodules.sum = tree = AdderTree(n, cfg.x_bits, stages=tree_stages)
            m.d.comb += [tree.en.eq(self.commit), tree.clr.eq(self.load)]
            # S(x(t - L)) for the debug port: the tree's output, ``behind`` steps ago
            s_inh = _history(m, tree.o, behind, self.load, self.commit, "s_prev")
            s_feed = tree.o
        else:
            m.submodules.sum = tree = AdderTree(n, cfg.x_bits, stages=tree_depth)
            m.d.comb += tree.en.eq(1)
            s_inh = s_feed = _history(m, tree.o, lat, self.load, self.commit, "s_hist")
        depth = cfg.argmax_depth if lean else tree_depth
        m.submodules.argmax = argmax = ArgMax(n, cfg.x_bits, stages=depth)

        salts = primitives.neuron_salts(n).tolist()
        # what a group of neurons takes: with shared noise, each noise unit's neurons (one
        # group a unit), otherwise all of them. Pipelined, each unit and its neurons take
        # their step's clock, enables and priming count, the inputs (``top``, ``b_lo``, hold
        # for the trial from the load on: the first C that steps read is taken at the end of
        # priming), the load and with L >= 3 the inhibition's sum S from copies of their own,
        # registers near them (COPY_ATTRS: synthesis would otherwise merge the equal copies
        # back into one that drives every unit's neurons over one net across the device).
        # The neurons take the load a clock late, with the master word the network took at
        # the load: in that clock they take neither a step nor a priming step (the unit's
        # priming count starts at the load, and its phase at 0 < P - 1), so from the clock
        # after they hold what they would have. S is then a register of the history, moving
        # only at a commit, and the neurons' D takes it two clocks later, at the next commit,
        # P >= 4 clocks on (with L <= 2 S is the free-running tree's output, timed to the
        # clock D takes it, and goes to the neurons as it is).
        piped = cfg.pipelined
        copy = _staging(m, piped, copy=True)
        s_copied = piped and inhibition_stages(lat)[0] >= 1
        master = Signal(32, name="master_r") if shared else self.master
        if shared:
            # noise unit u serves neurons u*P .. u*P + P - 1, neuron u*P + s in clock s of
            # each step (and of the four priming steps, the first from the seeds, so from the
            # master word taken at the load)
            with m.If(self.load):
                m.d.sync += master.eq(self.master)
        groups = []
        for u in range(-(-n // clocks) if shared else 1):
            tag = f"_{u}" if piped else ""
            group = SimpleNamespace(
                control=step_control(m, platform, cfg, self.en, self.load, tag) if piped else ctl,
                top=None if self._evidence else copy(f"top{tag}", self.top),
                b_lo=None if self._evidence else copy(f"b_lo{tag}", self.b_lo),
                load=copy(f"load{tag}", self.load),
                s=copy(f"s_inh{tag}", s_feed) if s_copied else s_feed,
                noise=NoiseUnit(cfg, salts[u * clocks : (u + 1) * clocks]) if shared else None,
                neurons=[],
            )
            if shared:
                m.submodules[f"noise{u}"] = group.noise
                m.d.comb += [
                    group.noise.step.eq(group.control.moves),
                    group.noise.phase.eq(group.control.phase),
                    group.noise.first.eq(group.control.first),
                    group.noise.master.eq(master),
                ]
            groups.append(group)
        neurons = []
        for i, salt in enumerate(salts):
            group = groups[i // clocks if shared else 0]
            if lean:
                nrn = LeanNeuron(cfg, salt, runtime=self._evidence)
                if shared:
                    m.d.comb += nrn.noise.eq(group.noise.out[i % clocks])
            else:
                nrn = Neuron(cfg, salt)
            m.submodules[f"neuron{i}"] = nrn
            neurons.append(nrn)
            group.neurons.append(nrn)
            if self._evidence:
                m.d.comb += [nrn.b.eq(self.b[i]), nrn.theta.eq(self.theta), nrn.stop.eq(self.stop)]
            else:
                m.d.comb += nrn.b.eq(Mux(group.top == i, cfg.b_hi, group.b_lo))
            m.d.comb += [
                nrn.load.eq(group.load),
                nrn.master.eq(master if piped else self.master),
                nrn.commit.eq(group.control.commit),
                nrn.s_inh.eq(group.s),
                tree.i[i].eq(nrn.g_sum),
                argmax.i[i].eq(nrn.x[cfg.x_guard_bits :]),
            ]
            if lean:
                m.d.comb += nrn.prime.eq(group.control.priming & group.control.last)
            else:
                m.d.comb += nrn.phase.eq(ctl.phase)
        x = [nrn.x for nrn in neurons]
        eta = [nrn.eta for nrn in neurons]

        # the sticky flags: cleared at the load, raised at a step in which some neuron's clamp
        # acts; pipelined, a pair of them per group, near its neurons, and the network's
        # flags their OR (the same value in every clock: no path from every neuron's flag to
        # one register across the device)
        flag_groups = groups if piped else [SimpleNamespace(control=ctl, neurons=neurons)]
        sats = []
        for g, group in enumerate(flag_groups):
            tag = f"_{g}" if piped else ""
            pair = Signal(name=f"eta_sat_r{tag}"), Signal(name=f"r_sat_r{tag}")
            with m.If(self.load):
                m.d.sync += [flag.eq(0) for flag in pair]
            with m.Elif(group.control.commit):
                m.d.sync += [
                    pair[0].eq(pair[0] | Cat(*(nrn.eta_hit for nrn in group.neurons)).any()),
                    pair[1].eq(pair[1] | Cat(*(nrn.r_hit for nrn in group.neurons)).any()),
                ]
            sats.append(pair)
        eta_sat = Cat(*(pair[0] for pair in sats)).any()
        r_sat = Cat(*(pair[1] for pair in sats)).any()

        # 6. decision on the current state
        if lean:
            # (pipelined, through a register: the state holds from the step's first clock
            # and the decision is read argmax_depth >= 1 clocks in)
            decided = _staging(m, piped)("decided_s", Cat(*(nrn.over for nrn in neurons)).any())
        else:
            decided = argmax.max >= cfg.stop_q
        m.d.comb += [
            self.decided.eq(decided),
            self.winner.eq(argmax.index),
            self.eta_sat.eq(eta_sat),
            self.r_sat.eq(r_sat),
            self.digest.eq(arith.digest(x, eta, cfg.x_state_bits, cfg.eta_bits)),
        ]
        if self._debug:
            # One concatenation in the layout's field order (neurons' x, eta, rng, then s_inh
            # and the flags): per-field assignments would become one process rewriting the
            # whole word on every change, which event-driven simulators evaluate n^2 times.
            fields = [part for nrn in neurons for part in (nrn.x, nrn.eta, nrn.rng)]
            m.d.comb += self.state.as_value().eq(Cat(*fields, s_inh, eta_sat, r_sat))
        return m


class Neuron(wiring.Component):
    """One neuron's registers and its Euler step (docs/semantics.md, steps 1 to 5).

    The step's nine stages (:data:`STAGES`) work in the clocks :func:`step_phases` gives;
    a value that a later clock reads is held in a register taken at the end of the clock
    that computes it. x, eta, the generator and the g delay line change only at the step's
    last clock.

    Parameters
    ----------
    cfg : Config
        Widths, constants, latency and clocks per step.
    salt : int
        The neuron's generator constant, fmix32(i + 1): it starts each trial at
        ``(master ^ salt) | 1``.

    Members
    -------
    phase : In(range(step_clocks))
        The clock of the step this cycle is (pipeline registers take their stage's value in
        it).
    commit : In(1)
        The registers take the step at the end of this cycle (the network's ``commit``).
    load : In(1)
        Start a trial (x = eta = 0, generator seeded, delay line cleared).
    master : In(32)
        The trial's master word.
    b : In(x_bits)
        This neuron's input for the trial.
    s_inh : In(s_bits)
        The global sum S(t - L) of the step (read in stage 4's clock).
    x, eta, rng : Out
        The registers (x is the register X, with ``cfg.x_guard_bits`` guard bits below the
        LSB of the x that the network reads).
    g_sum : Out(x_bits)
        The gate of the current state, for the adder tree.
    eta_hit, r_hit : Out(1)
        The OU register or the ReLU saturates in the step taken in this cycle.
    """

    def __init__(self, cfg: Config, salt: int):
        self._cfg, self._salt = cfg, salt
        super().__init__({"phase": In(range(cfg.step_clocks)), **_neuron_ports(cfg)})

    def elaborate(self, platform):
        cfg = self._cfg
        phases = step_phases(cfg.step_clocks)
        m = Module()
        x, eta, rng = self.x, self.eta, self.rng
        commit = self.commit
        made: dict[str, tuple[Signal, int]] = {}
        held: dict[str, Signal] = {}

        # Every intermediate is a named signal (the Verilog backend would otherwise repeat its
        # expression at each use), made in a stage; read from a later clock it comes from a
        # register. Widths come from the Config; each narrowing is exact (the value fits).
        def put(stage, name, value, shape=None):
            # (its value matters in its stage's clock: the registers it reads are taken then)
            in_clock = self.phase == phases[stage]
            sig = arith.exact(m, platform, value, shape, name=name, when=in_clock, src_loc_at=1)
            made[name] = (sig, stage)
            return sig

        def get(stage, name):
            sig, made_in = made[name]
            if phases[made_in] == phases[stage]:
                return sig
            if name not in held:
                # taken in every cycle of its clock of the step, whether or not the network
                # advances: while it waits, its inputs hold still, so it takes the same value
                # again (and en does not fan out to every pipeline register)
                held[name] = reg = Signal.like(sig, name=f"{name}_q")
                with m.If(self.phase == phases[made_in]):
                    m.d.sync += reg.eq(sig)
            return held[name]

        # 1. gate of the current state (this neuron's own term), delayed by L steps
        g_now = put(0, "g", gate(cfg, x[cfg.x_guard_bits :]), unsigned(cfg.x_bits))
        g_old = _history(m, g_now, cfg.latency, self.load, commit, "g_d")
        # the registers hold still for the whole step: every stage reads them as they are
        state = {"x": x, "eta": eta, "rng": rng, "b": self.b, "g_old": g_old}
        out = euler_stages(
            m,
            cfg,
            put,
            get,
            lambda a, b: phases[a] == phases[b],
            lambda stage, name: state[name],
            self.s_inh,
        )
        m.d.comb += [
            self.g_sum.eq(g_now),
            self.eta_hit.eq(commit & out["eta_hit"]),
            self.r_hit.eq(commit & out["r_hit"]),
        ]
        if arith.claiming(platform):  # the flag beside its value and the unclamped sum
            flag, raw = self.eta_hit, get(8, "eta_sum")
            limits = cfg.eta_min, cfg.eta_max
            arith.claim_clamp(m, platform, raw, out["eta_next"], flag, *limits, when=commit)
        eta_n = out["eta_next"]  # outside the If below: a held register is always taken
        # the generator word is recomputed from rng rather than held: it is a few gates
        rng_n = arith.xorshift32(m, rng)
        with m.If(self.load):
            m.d.sync += [
                x.eq(0),
                eta.eq(0),
                rng.eq(primitives.neuron_seed(self.master, self._salt)),
            ]
        with m.Elif(commit):
            m.d.sync += [x.eq(out["x_next"]), eta.eq(eta_n), rng.eq(rng_n)]
        return m


def euler_stages(m, cfg: Config, put, get, same_clock, state, s_inh) -> dict:
    """Steps 2 to 5 of docs/semantics.md for one neuron as the nine stages of :data:`STAGES`,
    built through the caller's stage helpers in module ``m``; the x register's next value is
    made in stage 8.

    ``put(stage, name, value, shape=None)`` names ``value`` as made in ``stage`` and returns
    it; ``get(stage, name)`` is that value as ``stage`` reads it (a register wherever the two
    stages fall in different clocks); ``same_clock(a, b)`` tells whether stages a and b work
    in one clock (a product's halves and join then make one multiplier);
    ``state(stage, name)`` is the neuron's ``x`` (the register X), ``eta``, ``rng``, its input
    ``b`` and the gate ``g_old`` = g(t - L) as ``stage`` reads them; ``s_inh`` is S(t - L),
    read in stage :data:`SUM_STAGE`. :class:`Neuron` holds its registers still for a step;
    the folded network's lanes (``gaba.hdl.folded``) carry them down a pipeline.

    Returns the stage-8 values ``x_next``, ``eta_next``, ``eta_hit`` (the OU clamp acted) and
    ``r_hit`` (the ReLU saturated).
    """
    cf = cfg.coef_bits
    guard = cfg.x_guard_bits
    multiply = constant_product(cfg)

    # a product v * c rounded (mulr): its halves in one stage, joined in the next; one
    # multiplier when both fall in the same clock
    def product(name, v, c, parts_stage, shape=None):
        join_stage = parts_stage + 1
        if same_clock(parts_stage, join_stage):
            return put(join_stage, name, multiply(v, c, cf), shape)
        if cfg.products == "shift-add":
            parts, split = arith.mulr_csd_parts(v, c, cf)
            for k, part in enumerate(parts):
                put(parts_stage, f"{name}_p{k}", part)
            held = [get(join_stage, f"{name}_p{k}") for k in range(len(parts))]
            return put(join_stage, name, arith.mulr_csd_join(held, split), shape)
        lo, hi, h = arith.mulr_parts(v, c, cf)
        put(parts_stage, f"{name}_lo", lo)
        put(parts_stage, f"{name}_hi", hi)
        joined = arith.mulr_join(
            get(join_stage, f"{name}_lo"), get(join_stage, f"{name}_hi"), h, cf
        )
        return put(join_stage, name, joined, shape)

    def held(stage, name, value, c, shape=None):
        """Put ``value`` at ``stage`` for a product by ``c`` a stage later, without the low
        bits that product never reads (a rounding shift reads from the bit below its floor),
        so no register bit goes unread; returns how many bits were left out (the reader
        shifts them back in as zeros)."""
        unread = arith.mulr_unread_bits(c, cf) if cfg.products == "shift-add" else 0
        if shape is not None:
            shape = (signed if shape.signed else unsigned)(shape.width - unread)
        put(stage, name, value >> unread, shape)
        return unread

    # stage 0: alpha*x (x as the network reads it: X >> G, a slice); the generator advances
    # first, then its Irwin-Hall sum
    put(0, "ax", multiply(state(0, "x")[guard:], cfg.alpha_c, cf))
    rng_next = put(0, "rng_next", arith.xorshift32(m, state(0, "rng")))
    if cfg.c_xi:  # without noise (c_xi = 0, so mulr(xi, c_xi) = 0) there is no sample to hold
        unread_xi = held(0, "xi", arith.irwin_hall4(rng_next), cfg.c_xi)
    # stages 1 and 2: the two OU products; the constant part of the pre-activation
    product("eta_a", state(1, "eta"), cfg.ou_a_c, 1)
    if cfg.c_xi:
        product("eta_c", get(1, "xi") << unread_xi, cfg.c_xi, 1)
    b = state(1, "b")
    put(1, "b_ax", b + get(1, "ax"))
    # for r*2**G - X without a carry chain after r (shifts by G are wiring)
    put(1, "b_ax_x", ((b + get(1, "ax")) << guard) - state(1, "x"))
    # stage 3: 3. the saturating OU update
    eta_sum = put(3, "eta_sum", get(3, "eta_a") + (get(3, "eta_c") if cfg.c_xi else 0))
    eta_next, eta_low, eta_high = arith.clamp(eta_sum, cfg.eta_min, cfg.eta_max)
    put(3, "eta_next", eta_next, signed(cfg.eta_bits))
    put(3, "eta_hit", eta_low | eta_high)
    # (stage 5: the pre-activation's terms but inh, a clock after the OU clamp)
    put(5, "b_ax_eta", get(5, "b_ax") + get(5, "eta_next"))
    put(5, "b_ax_eta_x", get(5, "b_ax_x") + (get(5, "eta_next") << guard))
    # stages 4 to 6: 2. inhibition from the (delayed) sum without self; the clamp is
    # lossless
    if cfg.beta_c:  # without inhibition (beta_c = 0, so mulr(D, beta_c) = 0) no D to hold
        d_full = put(SUM_STAGE, "d_full", s_inh - state(SUM_STAGE, "g_old"))  # 0 <= S - g_i
        unread_d = held(SUM_STAGE, "d", clamp_d(cfg, d_full), cfg.beta_c, unsigned(cfg.d_bits))
        product("inh", get(5, "d") << unread_d, cfg.beta_c, 5, unsigned(cfg.inh_bits))
    # stage 7: 4. pre-activation (exact, cfg.pre_bits wide) and the saturating ReLU; the
    # Euler step's r*2**G - X is chosen among pre*2**G - X (computed beside pre), -X and
    # x_max*2**G - X, which is clamp(pre, 0, x_max)*2**G - X (lies in [-X_max, X_max])
    # without an adder after the clamp
    inh = get(7, "inh") if cfg.beta_c else 0
    pre = put(7, "pre", get(7, "b_ax_eta") - inh, signed(cfg.pre_bits))
    pre_x = put(7, "pre_x", get(7, "b_ax_eta_x") - (inh << guard))
    r_x, r_high = relu_step(cfg, state(7, "x"), pre, pre_x)  # below 0: the ReLU
    put(7, "r_hit", r_high)
    put(7, "r_x", r_x, signed(cfg.x_state_bits + 1))
    # stage 8: 5. Euler step; X + mulr(r*2**G - X, k) lies between X and r*2**G, so
    # x_state_bits holds it
    x_next = put(
        8,
        "x_next",
        state(8, "x") + multiply(get(8, "r_x"), cfg.k_dt, cf),
        unsigned(cfg.x_state_bits),
    )
    return {
        "x_next": x_next,
        "eta_next": get(8, "eta_next"),
        "eta_hit": get(8, "eta_hit"),
        "r_hit": get(8, "r_hit"),
    }


def noise_product(cfg: Config):
    """How the noise's two products (a*eta, c_xi*xi) are built: as the Config's other
    products (:func:`constant_product`), but by shifts and adds in shared noise units
    (``Config.shared_noise``), two products per P neurons, where DSP blocks do not pay: with
    ``products = "multiplier"`` they go to the neurons' beta*D, one a neuron."""
    return arith.mulr_csd if cfg.shared_noise else constant_product(cfg)


def noise_layout(cfg: Config) -> data.StructLayout:
    """A neuron's noise ahead of its step (:class:`LeanNeuron`): the generator's state, its
    Irwin-Hall sample xi, xc = c_xi*xi of the step before, the OU register eta and its clamp
    flag; what a :class:`NoiseUnit` keeps per neuron."""
    xc = noise_product(cfg)(Signal(signed(11)), cfg.c_xi, cfg.coef_bits)
    return data.StructLayout(
        {
            "rng": unsigned(32),
            "xi": signed(11),  # -510..510
            "xc": xc.shape(),
            "eta": signed(cfg.eta_bits),
            "hit": 1,
        }
    )


def noise_step(m: Module, platform, cfg: Config, rng, xi, xc, eta, staged=None):
    """One step of the noise ahead (docs/semantics.md step 3, pipelined): from the generator
    state, xi, xc and eta, their next values: (rng', xi', xc', eta', eta's unclamped sum,
    eta's clamp flag). The generator, xi and xc feed forward; eta' = clamp(a*eta + xc).

    ``staged(name, value)`` (a noise unit's, pipelined: a free-running register) cuts the
    datapath in two: the generator's next word, both products and xc in the first clock; xi'
    (the Irwin-Hall sum), a*eta + xc and the clamp in the second."""
    multiply, cf = noise_product(cfg), cfg.coef_bits
    staged = staged or _staging(m, False)
    rng_next = staged(
        "rng_next_s", arith.exact(m, platform, arith.xorshift32(m, rng), name="rng_next")
    )
    if cfg.c_xi:
        a_eta = staged("a_eta_s", multiply(eta, cfg.ou_a_c, cf))
        eta_sum = arith.exact(m, platform, a_eta + staged("xc_s", xc), name="eta_sum")
    else:
        # without noise eta stays 0 (eta(0) = 0 and mulr(0, a) = 0): no OU loop is built
        eta_sum = Const(0, signed(2))
    eta_clamped, eta_low, eta_high = arith.clamp(eta_sum, cfg.eta_min, cfg.eta_max)
    eta_next = arith.exact(m, platform, eta_clamped, signed(cfg.eta_bits), name="eta_next")
    xi_next = arith.irwin_hall4(rng_next)
    xc_next = staged("xc_next_s", multiply(xi, cfg.c_xi, cf))
    return rng_next, xi_next, xc_next, eta_next, eta_sum, eta_low | eta_high


class NoiseUnit(wiring.Component):
    """The noise of up to P = ``step_clocks`` neurons (``Config.shared_noise``): the
    :class:`LeanNeuron`'s noise registers, one set per neuron in a P-deep memory, advanced by
    one :func:`noise_step` datapath, neuron s in clock s of each step.

    The memory is read a clock ahead (neuron s + 1's state in clock s) and the neuron's next
    state written back in its clock, so the unit's paths are a neuron's noise paths
    (``Config.pipelined``: its datapath split over two clocks and registered, the state is
    written three clocks after the neuron's). In the four priming steps after a load the
    first takes the seeds instead of the memory.

    Members
    -------
    step : In(1)
        Advance: the clock's neuron takes its next noise state, the phase moves on.
    phase : In(range(P))
        The clock of the step (the network's phase).
    first : In(1)
        The first priming step: the neurons' noise starts from their seeds.
    master : In(32)
        The trial's master word (neuron s is seeded ``(master ^ salt_s) | 1``).
    out : Out(ArrayLayout(noise_layout(cfg), P))
        Each neuron's noise state before its advance in this step, valid in the step's last
        clock (taken in neuron s's clock; the last neuron's is the memory's word itself).
    """

    def __init__(self, cfg: Config, salts: list[int]):
        clocks = cfg.step_clocks
        if not cfg.shared_noise or not 1 <= len(salts) <= clocks:
            raise ValueError(
                f"A noise unit serves 1 to step_clocks = {clocks} neurons of a shared_noise "
                f"Config, not {len(salts)} (shared_noise {cfg.shared_noise})"
            )
        self._cfg, self._salts = cfg, list(salts)
        super().__init__(
            {
                "step": In(1),
                "phase": In(range(clocks)),
                "first": In(1),
                "master": In(32),
                "out": Out(data.ArrayLayout(noise_layout(cfg), clocks)),
            }
        )

    def elaborate(self, platform):
        cfg = self._cfg
        clocks, layout = cfg.step_clocks, noise_layout(cfg)
        m = Module()
        m.submodules.states = mem = Memory(shape=layout, depth=clocks, init=[])
        rd, wr = mem.read_port(), mem.write_port()
        phase, last = self.phase, self.phase == clocks - 1
        m.d.comb += [rd.addr.eq(Mux(last, 0, phase + 1)), rd.en.eq(self.step)]
        # pipelined, the datapath takes two clocks (noise_step's free-running registers) and
        # its result is registered: the word is written three clocks after the neuron's and
        # read again P - 1 >= 3 advancing clocks after it
        wr_data = Signal(layout, name="wr_data")
        if cfg.pipelined:
            step_d, phase_d = Signal(name="step_d"), Signal.like(phase, name="phase_d")
            m.d.sync += [step_d.eq(self.step), phase_d.eq(phase)]
            m.d.sync += [wr.en.eq(step_d), wr.addr.eq(phase_d), wr.data.eq(wr_data)]
        else:
            m.d.comb += [wr.en.eq(self.step), wr.addr.eq(phase), wr.data.eq(wr_data)]
        # the clock's salt (slots without a neuron take 1), as a chain of 2-way choices: a
        # case statement on a phase that has not changed since time 0 is never evaluated by
        # Icarus (its process does not start before the phase first moves)
        salt = Const(1, 32)
        for slot, value in enumerate(self._salts):
            salt = Mux(phase == slot, value, salt)
        cur = Signal(layout, name="cur")
        with m.If(self.first):
            m.d.comb += cur.rng.eq(primitives.neuron_seed(self.master, salt))
        with m.Else():
            m.d.comb += cur.eq(rd.data)
        staged = _staging(m, cfg.pipelined)
        rng, xi, xc, eta, _, hit = noise_step(
            m, platform, cfg, cur.rng, cur.xi, cur.xc, cur.eta, staged
        )
        m.d.comb += [
            wr_data.rng.eq(rng),
            wr_data.xi.eq(xi),
            wr_data.xc.eq(xc),
            wr_data.eta.eq(eta),
            wr_data.hit.eq(hit),
        ]
        for s in range(clocks - 1):
            held = Signal(layout, name=f"held{s}")
            with m.If(self.step & (phase == s)):
                m.d.sync += held.eq(cur)
            m.d.comb += self.out[s].eq(held)
        m.d.comb += self.out[clocks - 1].eq(cur)
        return m


class LeanNeuron(wiring.Component):
    """One neuron of the one-clock-per-step network: the x loop alone in the step's clock.

    The golden step (docs/semantics.md, steps 1 to 5) regrouped by what depends on x. The
    OU noise and its generator run ahead: in step t the generator holds the state of step
    t + 4, registers its Irwin-Hall sample and c_xi*xi of step t + 3 (feed-forward), the OU
    register eta(t + 2), which takes eta(t + 3); copies of eta(t + 1) and eta(t) follow. With
    L >= 1 the inhibition runs ahead too: inh(t + 1) = beta*min(S(t + 1 - L) - g(t + 1 - L),
    d_max) from the network's tree and this neuron's gate delay line (with L >= 2 D is
    registered a step before its product; :func:`inhibition_stages`). Both meet
    in one register, C(t) = b + eta(t + 1) - inh(t), so the step itself is
    ``pre = C + alpha*x``, the ReLU as a 3-way choice of r*2**G - X, and
    ``X + k*(r*2**G - X)`` (with L = 0 the inhibition is subtracted inside the step). The
    registers shown as ``eta`` and ``rng`` (the state the golden model names) are copies
    shifted along at each step; synthesis removes the generator's copies where nothing reads
    them.

    Members
    -------
    prime : In(1)
        The clocks after a load (:func:`prime_clocks`): the noise pipeline and C fill (with
        shared noise, the last clock of each priming step).
    commit, load, master, b : In
        As :class:`Neuron`.
    s_inh : In(s_bits)
        The tree's sum: S(t + 2 - L) in step t with L >= 2, S(t) with L <= 1.
    x, eta, rng : Out
        The state after the steps done so far (x is the register X, with its guard bits).
    over : Out(1)
        x >= stop (a register taken with x).
    g_sum : Out(x_bits)
        The gate of the current state, for the tree.
    eta_hit, r_hit : Out(1)
        The OU register or the ReLU saturates in the step taken in this cycle.
    theta, stop : In(x_bits)
        Only with ``runtime``: the gate and decision thresholds, in place of the Config's
        (conventional WTA keeps theta = 0).
    """

    def __init__(self, cfg: Config, salt: int, *, runtime: bool = False):
        self._cfg, self._salt, self._runtime = cfg, salt, runtime
        ports = {"prime": In(1), "over": Out(1), **_neuron_ports(cfg)}
        if cfg.shared_noise:
            ports["noise"] = In(noise_layout(cfg))
        if runtime:
            ports.update({"theta": In(unsigned(cfg.x_bits)), "stop": In(unsigned(cfg.x_bits))})
        super().__init__(ports)

    def elaborate(self, platform):
        cfg = self._cfg
        cf, guard, lat = cfg.coef_bits, cfg.x_guard_bits, cfg.latency
        multiply = constant_product(cfg)
        m = Module()
        x, eta, commit = self.x, self.eta, self.commit
        ahead = self.prime | commit

        def named(name, value, shape=None):
            return arith.exact(m, platform, value, shape, name=name, src_loc_at=1)

        # the noise, ahead (3.): in step t the generator holds rng(t + 4) and a register its
        # Irwin-Hall sample xi(t + 4), another xc = c_xi*xi of step t + 3 (feed-forward);
        # the OU register eta(t + 2) takes eta(t + 3) from itself and xc; the copies
        # eta(t + 1), eta(t) (and rng(t + 3) .. rng(t) for the debug port) shift along.
        # Everything here moves at each ``ahead``.
        shared = cfg.shared_noise
        if shared:
            # the noise ahead comes from this neuron's noise unit, as the registers below
            # would hold it: valid in the step's last clock (``ahead``)
            rng_a, eta_a2, hit_a2 = self.noise.rng, self.noise.eta, self.noise.hit
        else:
            rng_a = Signal(32, name="rng_ahead", init=1)
            xi_a = Signal(signed(11), name="xi_ahead")  # -510..510
            xc_a = Signal(noise_layout(cfg)["xc"].shape, name="xc_ahead")
            eta_a2 = Signal(signed(cfg.eta_bits), name="eta_ahead2")
            hit_a2 = Signal(name="eta_hit_ahead2")
            rng_next, xi_next, xc_next, eta_next, eta_sum, hit_next = noise_step(
                m, platform, cfg, rng_a, xi_a, xc_a, eta_a2
            )
        eta_a1 = Signal(signed(cfg.eta_bits), name="eta_ahead1")
        hit_a1 = Signal(name="eta_hit_ahead1")
        rng_copies = [Signal(32, name=f"rng_ahead{k}") for k in (3, 2, 1)]

        # the gate of the current state (1.), delayed for the inhibition: with L >= 2 by
        # L - 2 steps (D is registered, a step ahead of inh), with L = 1 not at all
        xv = x[guard:]
        runtime = self._runtime
        theta = self.theta if runtime and cfg.kind == "nwta" else None
        stop = self.stop if runtime else cfg.stop_q
        g_now = named("g", gate(cfg, xv, theta), unsigned(cfg.x_bits))
        g_old = _history(m, g_now, inhibition_stages(lat)[0], self.load, commit, "g_d")
        # Pipelined (``Config.pipelined``: shared noise, L >= 1, P >= 4), every path below
        # starts at a register that moves only at a commit and ends at one taken only at the
        # next, P clocks on: free-running registers at adders' outputs (S - g, beta*D; the step's
        # first adders; with L >= 2 D and beta*D on each side of the multiplier) cut each into
        # at most four clocks and change no value a commit takes
        staged = _staging(m, cfg.pipelined)
        # 2. inhibition from the tree's sum without self; the clamp is lossless
        d_full = staged("d_full_s", named("d_full", self.s_inh - g_old))  # 0 <= S - g_i, exact
        d = named("d", clamp_d(cfg, d_full), unsigned(cfg.d_bits))
        if lat >= 2:
            d = _history(m, d, 1, self.load, commit, "d_r")  # D(t + 1) in step t
        # pipelined, beta*D between free-running registers of its own (D to C: P >= 4
        # clocks), so that a multiplier block placed far from its neuron has a clock for
        # each way
        if lat >= 2 and cfg.pipelined and cfg.products == "multiplier":
            # the product registered at the block's output, rounded after it: the adder of the
            # rounding sits by the neuron, not between the block and its register (Yosys trims
            # the product's bits below the rounding: they carry nothing into the rest). On an
            # ECP5 both registers are the block's own (gaba.hdl.dsp)
            raw = dsp.registered_product(m, platform, d, cfg.beta_c, names=("d_s", "inh_m"))
            inh = named("inh", arith.rounded(raw, cf), unsigned(cfg.inh_bits))
        else:
            if lat >= 2:
                d = staged("d_s", d)
            inh = named("inh", multiply(d, cfg.beta_c, cf), unsigned(cfg.inh_bits))
            if lat >= 2:
                inh = staged("inh_m", inh)
        inh = staged("inh_s", inh)

        # C = b + eta(t + 1) - inh(t), for the next step (with L = 0 without inh): b + eta
        # from the register eta(t + 2) beside inh's product, then inh subtracted
        # (pipelined, b through a register: it holds for the trial, from the load on)
        be = named("b_eta", staged("b_s", self.b) + eta_a2)
        c_low = -cfg.inh_max + cfg.eta_min if lat else cfg.eta_min
        c_reg = Signal(range(c_low, cfg.x_max + cfg.eta_max + 1), name="c")
        c_next = named("c_next", be - inh if lat else be, c_reg.shape())

        # the step (4., 5.)
        alpha_shift, k_shift = _power_of_two(cfg.alpha_c, cf), _power_of_two(cfg.k_dt, cf)
        if lat and alpha_shift is not None and k_shift is not None:
            # alpha = 2**-a and k = 2**-j (the paper point): both products are shifts, so
            # pre = C + mulr(x, alpha) = floor((x + C*2**a + 2**(a-1)) / 2**a), one adder
            # whose other operand is wiring; and X' = X + mulr(r*2**G - X, k) =
            # floor((X*(2**j - 1) + 2**(j-1) + r*2**G) / 2**j), the ReLU's three cases of r
            # (0, x_max, pre) added to W = X*(2**j - 1) + 2**(j-1) (from X alone, beside
            # pre): two adders and a 3-way choice from the registers to X'.
            a, j = alpha_shift, k_shift
            c_wide = Cat(Const(1 << (a - 1), a), c_reg).as_signed()
            pre = staged("pre_s", named("pre", (xv + c_wide)[a:].as_signed(), signed(cfg.pre_bits)))
            w = staged("w_s", named("w", Cat(Const(1 << (j - 1), j), x) - x))
            r_low, r_high = pre < 0, pre > cfg.x_max
            high = (w + cfg.x_state_max)[j:]
            through = named("x_pre", (w + (pre << guard))[j:])
            x_next = named(
                "x_next", Mux(r_low, w[j:], Mux(r_high, high, through)), unsigned(cfg.x_state_bits)
            )
        else:
            # pre = C + alpha*x (- inh with L = 0); r*2**G - X chosen among pre*2**G - X
            # (computed beside pre), -X and x_max*2**G - X (the ReLU's clamps)
            ax = staged("ax_s", named("ax", multiply(xv, cfg.alpha_c, cf)))
            c_ax = c_reg + ax if lat else c_reg + ax - inh
            pre = named("pre", c_ax, signed(cfg.pre_bits))
            c_x = staged("c_x_s", named("c_x", (c_reg << guard) - x))
            pre_x = named("pre_x", c_x + ((ax if lat else ax - inh) << guard))
            r_x, r_high = relu_step(cfg, x, pre, pre_x)
            r_x = staged("r_x_s", named("r_x", r_x, signed(cfg.x_state_bits + 1)))
            r_high = staged("r_high_s", r_high)
            x_next = named("x_next", x + multiply(r_x, cfg.k_dt, cf), unsigned(cfg.x_state_bits))
        m.d.comb += [
            self.g_sum.eq(g_now),
            self.eta_hit.eq(commit & hit_a1),
            self.r_hit.eq(commit & r_high),
        ]
        # each OU flag travels beside the value it describes; under a proof the unclamped sum
        # that made both travels with them, and the flag is raised exactly when the clamp
        # acted on the value (the value is the sum clamped)
        raw_a2 = raw_a1 = None
        if arith.claiming(platform) and not shared:
            raw_a2 = Signal.like(eta_sum, name="eta_sum_ahead2")
            raw_a1 = Signal.like(eta_sum, name="eta_sum_ahead1")
            for value, hit, raw in ((eta_a2, hit_a2, raw_a2), (eta_a1, hit_a1, raw_a1)):
                arith.claim_clamp(m, platform, raw, value, hit, cfg.eta_min, cfg.eta_max)
        with m.If(self.load):
            seed = primitives.neuron_seed(self.master, self._salt)
            # the priming clocks (prime_clocks) fill the pipeline: xi = xc = 0 keep eta = 0
            # for the first two, so after four the registers hold what step 0 needs
            m.d.sync += [
                x.eq(0),
                self.over.eq(0),
                c_reg.eq(0),
                *(r.eq(seed) for r in (*rng_copies, self.rng)),
                *(r.eq(0) for r in (eta_a1, eta, hit_a1)),
            ]
            if not shared:
                m.d.sync += [
                    rng_a.eq(seed),
                    *(r.eq(0) for r in (xi_a, xc_a, eta_a2, hit_a2)),
                ]
            if raw_a2 is not None:
                m.d.sync += [raw_a2.eq(0), raw_a1.eq(0)]
        with m.Else():
            with m.If(commit):
                m.d.sync += [x.eq(x_next), self.over.eq(x_next[guard:] >= stop)]
            with m.If(ahead):
                m.d.sync += [
                    c_reg.eq(c_next),
                    eta_a1.eq(eta_a2),
                    hit_a1.eq(hit_a2),
                    eta.eq(eta_a1),
                    *(
                        reg.eq(src)
                        for reg, src in zip(
                            (*rng_copies, self.rng), (rng_a, *rng_copies), strict=True
                        )
                    ),
                ]
                if not shared:
                    m.d.sync += [
                        rng_a.eq(rng_next),
                        xi_a.eq(xi_next),
                        xc_a.eq(xc_next),
                        eta_a2.eq(eta_next),
                        hit_a2.eq(hit_next),
                    ]
                if raw_a2 is not None:
                    m.d.sync += [raw_a2.eq(eta_sum), raw_a1.eq(raw_a2)]
        return m
