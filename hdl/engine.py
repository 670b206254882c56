"""The trial engine: runs whole trials on the network by itself and reports one result each."""

from __future__ import annotations

from amaranth.hdl import Cat, Const, DomainRenamer, Module, Mux, Signal, unsigned
from amaranth.lib import data, fifo, stream, wiring
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.hdl import arith, folded
from gaba.hdl.nwta import Network, decision_phase, prime_clocks, state_layout, winner_clocks

__all__ = [
    "SEEDINGS",
    "ReplicatedEngine",
    "TrialEngine",
    "check_replicas",
    "engine_signature",
    "result_layout",
    "trial_clocks",
]

#: How the engine hashes trial keys: "parallel" (combinational fmix32s, one load cycle) or
#: "serial" (one shift-add multiplier, gaba.hdl.seeding: 132 cycles more per trial, a hundred
#: or so logic cells instead of thousands; the board tops use it).
SEEDINGS = ("parallel", "serial")


def result_layout(cfg: Config) -> data.StructLayout:
    """Payload of one trial's result (fields packed from bit 0 in this order).

    winner: the decision (meaningless when ``decided`` is 0); top: the top-input option;
    steps: Euler steps executed (``max_steps`` when undecided); decided; eta_sat, r_sat: sticky
    flags at the end of the trial; digest: final-state digest of x and eta.
    """
    return data.StructLayout(
        {
            "winner": unsigned(max(1, (cfg.n - 1).bit_length())),
            "top": unsigned(max(1, (cfg.n - 1).bit_length())),
            "steps": unsigned(cfg.max_steps.bit_length()),
            "decided": 1,
            "eta_sat": 1,
            "r_sat": 1,
            "digest": 32,
        }
    )


def trial_clocks(cfg: Config, steps: int) -> int:
    """Clock cycles of one parallel-seeded trial of ``steps`` steps, load to result offered.

    Folded (``cfg.lanes``): the load cycle and one more before the first pass, a pass every
    ``folded.pass_clocks`` clocks, the last pass's ``rows`` clocks and its last row's way to
    the accumulators (``folded.acc_stage``), the decision cycle. Parallel: the load cycle,
    the network's priming clocks (a one-clock x loop only), ``step_clocks`` cycles per step,
    the decision clock's offset into the step after the last, the wait for the arg-max's
    pipeline (one clock per step only), and the decision cycle (the result is offered in the
    next cycle).
    """
    if cfg.lanes is not None:
        return 3 + (steps - 1) * folded.pass_clocks(cfg) + folded.rows(cfg) + folded.acc_stage(cfg)
    clocks = cfg.step_clocks
    return 1 + prime_clocks(cfg) + steps * clocks + decision_phase(cfg) + winner_clocks(cfg) + 1


def engine_signature(cfg: Config, *, debug: bool = False) -> wiring.Signature:
    """The ports of :class:`TrialEngine` for ``cfg`` (see its Members)."""
    ports = {
        "start": In(1),
        "seed": In(32),
        "first": In(32),
        "count": In(32),
        "top_en": In(1),
        "top_in": In(range(cfg.n)),
        "delta_en": In(1),
        "delta_in": In(unsigned(cfg.x_bits)),
        "busy": Out(1),
        "res": Out(stream.Signature(result_layout(cfg))),
    }
    if debug and cfg.lanes is not None:
        ports["hold"] = In(1)
        ports["peek_addr"] = In(range(cfg.n))
        ports["peek"] = Out(folded.neuron_layout(cfg))
        ports["s_inh"] = Out(unsigned(cfg.s_bits))
        ports["eta_sat"] = Out(1)
        ports["r_sat"] = Out(1)
        ports["started"] = Out(1)
    elif debug:
        ports["state"] = Out(state_layout(cfg))
    if debug:
        ports["steps"] = Out(unsigned(cfg.max_steps.bit_length()))
        ports["running"] = Out(1)
        ports["in_run"] = Out(1)
    return wiring.Signature(ports)


class TrialEngine(wiring.Component):
    """Runs ``count`` trials of the network back to back, one result per trial.

    For trial t (counting from ``first``) of a run seeded with ``seed`` the engine forms the
    trial key ``fmix32(seed) + t * WEYL``, seeds every neuron from ``fmix32(key)``, picks the
    top-input option ``(fmix32(key ^ TOP_SALT) * n) >> 32`` (or takes ``top_in``), runs the
    network one step per ``cfg.step_clocks`` clocks until some x reaches stop or
    ``max_steps`` steps are done, and offers the result on ``res``. Exactly
    ``gaba.golden.fixed.run_trials(cfg, count, seed, first_trial=first)``, trial by trial.

    Cycle budget of a trial: one load cycle, the network's priming clocks with a one-clock x
    loop (one clock per step, or shared noise: ``gaba.hdl.nwta.prime_clocks``),
    ``cfg.step_clocks`` cycles per step, the arg-max's pipeline after the decision with one
    clock per step
    (``gaba.hdl.nwta.winner_clocks``),
    ``decision_phase(cfg)`` cycles into the step after the last one (where the
    decision is valid) plus one decision cycle, and the result cycle(s) until ``res.ready``
    (:func:`trial_clocks`). With ``seeding="serial"`` the hashes take
    ``MUL_CYCLES + FMIX_CYCLES + 2`` cycles at the run's start, and each trial's two
    (``2 * (FMIX_CYCLES + 1) + 1`` cycles, ``gaba.hdl.seeding``) run while the trial before
    it does, so they delay only a trial that follows a shorter one; the results are the same.

    With ``stride`` s the engine runs trials ``first``, ``first + s``, ``first + 2s``, ...
    (``count`` of them): s engines started at ``first``, ``first + 1``, ... share a run
    (:class:`ReplicatedEngine`).

    Members
    -------
    start : In(1)
        Strobe in idle: latch ``seed``, ``first``, ``count`` and begin.
    seed, first, count : In(32)
        The run's seed, the index of its first trial, the number of trials (0 does nothing).
    top_en, top_in : In(1), In(range(n))
        When ``top_en`` is high at a trial's load cycle, ``top_in`` is its top-input option
        (the host keeps it below n; a larger value gives no option the top input).
    delta_en, delta_in : In(1), In(x_bits)
        When ``delta_en`` is high at a trial's load cycle, the weaker inputs are
        ``b_hi - delta_in`` (0 if delta_in > b_hi) instead of the Config's ``b_lo``.
    busy : Out(1)
        A run is in progress.
    res : Out(stream.Signature(result_layout(cfg)))
        One payload per trial.
    state, steps, running, in_run : Out
        Only with ``debug``: the network's registers, the steps done in this trial, whether
        the network takes a step at the end of this cycle, and whether the engine is running
        a trial and the state is valid (it then holds the trial's state after ``steps``
        steps; once per step, ``step_clocks`` cycles apart).

    ``network_domain`` names the clock domain of the network's registers (default
    ``sync``). A board top names another and renames it to ``sync`` outside the
    ``ResetInserter`` of its ABORT (:attr:`gaba.boards.hostlink.HostLinkTop.abort_spares`), so
    that ABORT resets the engine but not the network: a load sets every register of the
    network that a trial reads, so a trial after an ABORT is the trial after a reset, and
    the reset does not reach each of the network's registers over one net across the
    device.
    """

    def __init__(
        self,
        cfg: Config,
        *,
        debug: bool = False,
        seeding: str = "parallel",
        stride: int = 1,
        network_domain: str = "sync",
    ):
        if not isinstance(cfg, Config):
            raise ValueError(f"TrialEngine needs a gaba Config, not {cfg!r}")
        check_domain(network_domain)
        if seeding not in SEEDINGS:
            raise ValueError(f"Seeding must be one of {', '.join(SEEDINGS)}, not {seeding!r}")
        if isinstance(stride, bool) or not isinstance(stride, int) or not 1 <= stride <= 2**16:
            raise ValueError(f"Trial stride must be an integer in 1..65536, not {stride!r}")
        self._cfg, self._debug, self._seeding, self._stride = cfg, debug, seeding, stride
        self._network_domain = network_domain
        super().__init__(engine_signature(cfg, debug=debug))

    @property
    def config(self) -> Config:
        return self._cfg

    @property
    def network_domain(self) -> str:
        return self._network_domain

    def elaborate(self, platform):
        cfg = self._cfg
        m = Module()
        fold = cfg.lanes is not None
        network = folded.FoldedNetwork if fold else Network
        net = network(cfg, debug=self._debug)
        if self._network_domain != "sync":
            net = DomainRenamer(self._network_domain)(net)
        m.submodules.network = net

        key = Signal(32)
        # the key of the trial ``stride`` trials on (fmix32(seed) + t * WEYL is linear in t)
        key_step = Const((primitives.WEYL * self._stride) & primitives.MASK32, 32)
        remaining = Signal(32)
        top = Signal(range(cfg.n))
        b_lo = Signal(unsigned(cfg.x_bits), init=cfg.b_lo)
        steps = Signal(unsigned(cfg.max_steps.bit_length()))
        m.d.comb += [net.top.eq(top), net.b_lo.eq(b_lo)]
        # With several clocks per step the network's enable is a register: the decision
        # (made in the step's decision clock) clears it for the next cycle, which is still
        # before the step's last clock, so no step is taken after the decision, and the
        # enable does not sit behind the arg-max and the comparisons on its way to every
        # state register's clock enable.
        # (The folded network's enable is a register too: it takes no step but the pass it
        # issues rows of, and the decision comes from its output registers.)
        en_reg = None
        if cfg.step_clocks > 1 or fold:
            assert fold or decision_phase(cfg) < cfg.step_clocks - 1
            en_reg = Signal(name="net_en")
            m.d.comb += net.en.eq(en_reg)

        wait = 0 if fold else winner_clocks(cfg)
        settle = Signal(range(wait), name="settle") if wait else None

        def capture():
            m.d.sync += [
                self.res.payload.winner.eq(net.winner),
                self.res.payload.top.eq(top),
                self.res.payload.steps.eq(steps),
                self.res.payload.decided.eq(net.decided),
                self.res.payload.eta_sat.eq(net.eta_sat),
                self.res.payload.r_sat.eq(net.r_sat),
                self.res.payload.digest.eq(net.digest),
            ]
            m.next = "RESULT"

        # the network's load: a register set as the state machine enters LOAD, so high in
        # exactly that state; it reaches every neuron, so it leaves a flip-flop, not the
        # state's decoder
        load = Signal(name="net_load")
        m.d.sync += load.eq(0)
        m.d.comb += net.load.eq(load)

        def to_load():
            m.d.sync += load.eq(1)
            m.next = "LOAD"

        if self._seeding == "parallel":
            m.d.comb += net.master.eq(arith.fmix32(m, key, name="master"))
            drawn_top = arith.uniform_index(
                arith.fmix32(m, key ^ primitives.TOP_SALT, name="top_hash"), cfg.n
            )
        with m.FSM(name="fsm") as fsm:
            if self._seeding == "parallel":
                with m.State("IDLE"):
                    with m.If(self.start & (self.count != 0)):
                        m.d.sync += [
                            key.eq(
                                arith.fmix32(m, self.seed, name="seed_hash")
                                + self.first * Const(primitives.WEYL, 32)
                            ),
                            remaining.eq(self.count),
                        ]
                        to_load()
            else:
                drawn_top, fresh, kick, hashes = self._serial_seeding(
                    m, net, key, remaining, to_load
                )
            with m.State("LOAD"):
                m.d.sync += [
                    top.eq(Mux(self.top_en, self.top_in, drawn_top)),
                    # a host gap larger than b_hi saturates at b_lo = 0, never wraps
                    b_lo.eq(
                        Mux(
                            self.delta_en,
                            Mux(self.delta_in > cfg.b_hi, 0, cfg.b_hi - self.delta_in),
                            cfg.b_lo,
                        )
                    ),
                    steps.eq(0),
                ]
                if self._seeding == "serial":
                    # the next trial's key, whose hashes are computed while this one runs
                    m.d.sync += [key.eq(key + key_step), fresh.eq(0), kick.eq(remaining != 1)]
                if en_reg is not None:
                    m.d.sync += en_reg.eq(1)
                m.next = "RUN"
            with m.State("RUN"):
                with m.If(net.commit):
                    m.d.sync += steps.eq(steps + 1)
                with m.If(net.ready & (net.decided | (steps == cfg.max_steps))):
                    if wait:
                        # the state holds still while the arg-max's pipeline catches up
                        m.d.sync += settle.eq(wait - 1)
                        m.next = "SETTLE"
                    else:
                        capture()
                    if en_reg is not None:
                        m.d.sync += en_reg.eq(0)
                if en_reg is None:
                    with m.Else():
                        m.d.comb += net.en.eq(1)
            if wait:
                with m.State("SETTLE"):
                    m.d.sync += settle.eq(settle - 1)
                    with m.If(settle == 0):
                        capture()
            with m.State("RESULT"):
                m.d.comb += self.res.valid.eq(1)
                with m.If(self.res.ready):
                    m.d.sync += remaining.eq(remaining - 1)
                    if self._seeding == "parallel":
                        m.d.sync += key.eq(key + key_step)
                    with m.If(remaining == 1):
                        m.next = "IDLE"
                    if self._seeding == "parallel":
                        with m.Else():
                            to_load()
                    else:
                        # the next trial's hashes are ready unless this trial was shorter
                        with m.Elif(fresh):
                            to_load()
                        with m.Else():
                            m.next = "HASHING"
        m.d.comb += self.busy.eq(~fsm.ongoing("IDLE"))
        arith.claim(m, platform, load == fsm.ongoing("LOAD"), "the load is high in LOAD alone")
        if self._seeding == "serial":
            self._prefetcher(m, key, fresh, kick, *hashes)

        if self._debug:
            if fold:
                m.d.comb += [
                    net.hold.eq(self.hold),
                    net.peek_addr.eq(self.peek_addr),
                    self.peek.eq(net.peek),
                    self.s_inh.eq(net.s_inh),
                    self.eta_sat.eq(net.eta_sat),
                    self.r_sat.eq(net.r_sat),
                    self.started.eq(net.started),
                ]
            else:
                m.d.comb += self.state.eq(net.state)
            m.d.comb += [
                self.steps.eq(steps),
                # (a folded network may finish a speculative pass after the decision)
                self.running.eq(fsm.ongoing("RUN") & net.commit),
                self.in_run.eq(fsm.ongoing("RUN") & net.ready),
            ]
        return m

    def _serial_seeding(self, m, net, key, remaining, to_load):
        """IDLE and the hashing states of ``seeding="serial"`` (called inside the engine's
        FSM, whose LOAD state clears ``fresh`` and sets ``kick``); returns the drawn top
        option, ``fresh`` (the next trial's hashes are ready), ``kick`` and what
        :meth:`_prefetcher` takes (the hash unit, the registers it fills). ``to_load()``
        moves to LOAD.

        Run start: key = fmix32(seed) + first * WEYL, one multiplier pass after the other.
        Each trial's two hashes (the top option's, then the master word) are computed by a
        second state machine while the trial before runs: the LOAD cycle reads them and
        advances the key, which starts the next pair. So a trial longer than the two hashes
        (``2 * (FMIX_CYCLES + 1)`` cycles) follows the one before without a gap.
        """
        from gaba.hdl.seeding import OP_MUL_WEYL, SerialHash

        m.submodules.hash = h = SerialHash()
        seed, first_weyl = Signal(32), Signal(32)
        top_hash, master = Signal(32), Signal(32)
        fresh = Signal()  # top_hash and master are the hashes of key
        kick = Signal()  # start hashing key (it changed in the cycle before)
        m.d.comb += net.master.eq(master)
        m.d.sync += kick.eq(0)
        with m.State("IDLE"):
            with m.If(self.start & (self.count != 0)):
                m.d.comb += [h.start.eq(1), h.op.eq(OP_MUL_WEYL), h.i.eq(self.first)]
                m.d.sync += [seed.eq(self.seed), remaining.eq(self.count)]
                m.next = "HASH_FIRST"
        with m.State("HASH_FIRST"):
            with m.If(h.done):
                m.d.sync += first_weyl.eq(h.o)
                m.next = "HASH_SEED"
        with m.State("HASH_SEED"):
            with m.If(_fmix32_of(m, h, seed)):
                m.d.sync += [key.eq(h.o + first_weyl), fresh.eq(0), kick.eq(1)]
                m.next = "HASHING"
        with m.State("HASHING"):
            with m.If(fresh):
                to_load()
        return arith.uniform_index(top_hash, self._cfg.n), fresh, kick, (h, top_hash, master)

    @staticmethod
    def _prefetcher(m, key, fresh, kick, h, top_hash, master):
        """The state machine that hashes each trial's key while the trial before runs."""
        with m.FSM(name="prefetch"):
            with m.State("WAIT"):
                with m.If(kick):
                    m.next = "TOP"
            with m.State("TOP"):
                with m.If(_fmix32_of(m, h, key ^ primitives.TOP_SALT)):
                    m.d.sync += top_hash.eq(h.o)
                    m.next = "MASTER"
            with m.State("MASTER"):
                with m.If(_fmix32_of(m, h, key)):
                    m.d.sync += [master.eq(h.o), fresh.eq(1)]
                    m.next = "WAIT"


def _fmix32_of(m, h, value):
    """Keep the hash unit ``h`` (a SerialHash) on fmix32(``value``), starting it when idle;
    returns its ``done``."""
    from gaba.hdl.seeding import OP_FMIX32

    m.d.comb += [h.start.eq(~h.busy), h.op.eq(OP_FMIX32), h.i.eq(value)]
    return h.done


def check_replicas(replicas) -> int:
    """``replicas`` if it is a count :class:`ReplicatedEngine` takes, else a ValueError."""
    if (
        isinstance(replicas, bool)
        or not isinstance(replicas, int)
        or not 1 <= replicas <= 64
        or replicas & (replicas - 1)
    ):
        raise ValueError(f"Replicas must be a power of two in 1..64, not {replicas!r}")
    return replicas


def check_domain(domain) -> str:
    """``domain`` if it names a clock domain (an identifier), else a ValueError."""
    if not isinstance(domain, str) or not domain.isidentifier() or domain == "comb":
        raise ValueError(f"A clock domain's name must be an identifier, not {domain!r}")
    return domain


class ReplicatedEngine(wiring.Component):
    """``replicas`` trial engines sharing one run, their results in trial order.

    Replica r runs trials ``first + r``, ``first + r + R``, ... (a :class:`TrialEngine` of
    stride R, R = ``replicas``), so a run of ``count`` trials takes about 1/R of the time of
    one engine. Each replica's results wait in a small FIFO of their own; the output takes
    them round-robin, replica 0 first, which is trial order: the results are exactly
    :class:`TrialEngine`'s (and the golden model's), trial by trial. A replica whose FIFO is
    full waits, so the FIFOs let replicas run ahead of a slower one by ``fifo_depth`` trials.
    The engines sit behind registers (the run's inputs a clock late, the results through a
    two-word FIFO, ``busy`` from flip-flops), so that the copies may spread over a device
    without a path from the host's side into them or back; a run takes a few clocks more
    than its engines' for it.

    The ports are :class:`TrialEngine`'s (``engine_signature(cfg)``, no debug port).

    Parameters
    ----------
    cfg : Config
    replicas : int
        A power of two, 1 to 64 (so each replica's share of ``count`` is a shift).
    seeding : str
        Each replica's (:data:`SEEDINGS`).
    fifo_depth : int
        Results each replica can hold (1 to 64).
    network_domain : str
        The clock domain of each replica's network (:class:`TrialEngine`).
    """

    def __init__(
        self,
        cfg: Config,
        replicas: int,
        *,
        seeding: str = "serial",
        fifo_depth: int = 4,
        network_domain: str = "sync",
    ):
        if not isinstance(cfg, Config):
            raise ValueError(f"ReplicatedEngine needs a gaba Config, not {cfg!r}")
        check_domain(network_domain)
        check_replicas(replicas)
        if isinstance(fifo_depth, bool) or not isinstance(fifo_depth, int):
            raise ValueError(f"FIFO depth must be an integer in 1..64, not {fifo_depth!r}")
        if not 1 <= fifo_depth <= 64:
            raise ValueError(f"FIFO depth must be an integer in 1..64, not {fifo_depth!r}")
        self._cfg, self._replicas, self._depth = cfg, replicas, fifo_depth
        self._seeding, self._network_domain = seeding, network_domain
        super().__init__(engine_signature(cfg))

    @property
    def config(self) -> Config:
        return self._cfg

    @property
    def replicas(self) -> int:
        return self._replicas

    def engine(self, r: int) -> TrialEngine:
        """A new engine for replica ``r``: trials ``first + r``, then every R-th."""
        return TrialEngine(
            self._cfg,
            seeding=self._seeding,
            stride=self._replicas,
            network_domain=self._network_domain,
        )

    def elaborate(self, platform):
        m = Module()
        r_count = self._replicas
        shift = r_count.bit_length() - 1
        width = result_layout(self._cfg).size
        # The engines sit behind registers on both sides: the run's inputs reach them a clock
        # late and their results leave through a two-word FIFO, and ``busy`` is two
        # flip-flops, so that no path runs from the host's command decoder into R engines
        # spread over the device, or back.
        begin = Signal(name="begin")  # a run's start strobe, taken
        go = Signal(name="go")  # the same, a clock late
        m.d.comb += begin.eq(self.start & ~self.busy)
        held = {
            name: Signal.like(getattr(self, name), name=f"{name}_r")
            for name in ("seed", "first", "count", "top_en", "top_in", "delta_en", "delta_in")
        }
        m.d.sync += go.eq(begin)
        m.d.sync += [reg.eq(getattr(self, name)) for name, reg in held.items()]
        m.submodules.out = out = fifo.SyncFIFOBuffered(width=width, depth=2)
        turn = Signal(range(r_count), name="turn")  # the replica whose result is next
        # results of the run still to hand out (``pending``: any), and whether an engine was
        # busy a clock ago (an engine may still be busy with nothing to hand out)
        remaining = Signal(32, name="remaining")
        pending = Signal(name="pending")
        engines_busy = Signal(name="engines_busy")
        engine_busy = []
        outs = []
        for r in range(r_count):
            m.submodules[f"engine{r}"] = engine = self.engine(r)
            m.submodules[f"results{r}"] = q = fifo.SyncFIFOBuffered(width=width, depth=self._depth)
            m.d.comb += [
                engine.start.eq(go),
                engine.seed.eq(held["seed"]),
                # trial first + r, then every R-th: count - r trials from there, rounded up
                engine.first.eq(held["first"] + r),
                engine.count.eq((held["count"] + (r_count - 1 - r)) >> shift),
                engine.top_en.eq(held["top_en"]),
                engine.top_in.eq(held["top_in"]),
                engine.delta_en.eq(held["delta_en"]),
                engine.delta_in.eq(held["delta_in"]),
                q.w_data.eq(engine.res.payload.as_value()),
                q.w_en.eq(engine.res.valid),
                engine.res.ready.eq(q.w_rdy),
                q.r_en.eq(out.w_rdy & (turn == r)),
            ]
            engine_busy.append(engine.busy)
            outs.append(q)
        with m.Switch(turn):
            for r, q in enumerate(outs):
                with m.Case(r):
                    m.d.comb += [out.w_en.eq(q.r_rdy), out.w_data.eq(q.r_data)]
        m.d.comb += [
            self.res.valid.eq(out.r_rdy),
            self.res.payload.eq(out.r_data),
            out.r_en.eq(self.res.ready),
        ]
        with m.If(begin):
            m.d.sync += turn.eq(0)
        with m.Elif(out.w_en & out.w_rdy):
            m.d.sync += turn.eq(turn + 1)  # wraps at R, a power of two
        with m.If(begin):
            m.d.sync += [remaining.eq(self.count), pending.eq(self.count != 0)]
        with m.Elif(self.res.valid & self.res.ready):
            m.d.sync += remaining.eq(remaining - 1)
            with m.If(remaining == 1):
                m.d.sync += pending.eq(0)
        m.d.sync += engines_busy.eq(Cat(*engine_busy).any())
        m.d.comb += self.busy.eq(pending | engines_busy)
        return m


_PORT_MEANING = {
    "clk": "clock; one Euler step of all neurons per step_clocks cycles while a trial runs",
    "rst": "synchronous reset, active high",
    "start": "strobe in idle: latch seed, first, count and run",
    "seed": "the run's seed (trial keys: fmix32(seed) + t * 0x9E3779B9)",
    "first": "index of the run's first trial",
    "count": "number of trials to run (0: nothing)",
    "top_en": "use top_in as the top-input option of the trial being loaded",
    "top_in": "host-chosen top-input option",
    "delta_en": "use b_hi - delta_in as the weaker options' input",
    "delta_in": "host-chosen input gap (x's format)",
    "busy": "a run is in progress",
    "res__payload": "one trial's result (fields below)",
    "res__valid": "res__payload holds a result",
    "res__ready": "the result is taken this cycle (hold high to never stall)",
    "state": "debug: every register of the network (lockstep comparison)",
    "steps": "debug: steps done in the current trial",
    "running": "debug: the network takes a step at the end of this cycle",
    "in_run": "debug: a trial is running and state is its state after `steps` steps",
    "hold": "debug (folded): no pass starts while high (lockstep reads the state meanwhile)",
    "peek_addr": "debug (folded): neuron whose registers peek shows a clock later",
    "peek": "debug (folded): x, eta, rng of neuron peek_addr",
    "s_inh": "debug (folded): S(t - L), what the next step's inhibition reads",
    "eta_sat": "debug (folded): sticky eta saturation after `steps` steps",
    "r_sat": "debug (folded): sticky r saturation after `steps` steps",
    "started": "debug (folded): a pass (a step) starts this cycle",
}


def port_comment(cfg: Config, *, debug: bool = False) -> str:
    """A Verilog comment block documenting the ports and the result payload for ``cfg``."""
    from amaranth.hdl import Shape

    p = cfg.params
    lines = [
        f"gaba trial engine: {cfg.kind}, n = {cfg.n}, Config {cfg.digest()}",
        f"alpha {p.alpha} beta {p.beta} theta {p.theta} sigma {p.sigma} tau_eta {p.tau_eta} "
        f"dt {p.dt:g} stop {p.stop} delta {p.delta} horizon {p.horizon} (max_steps "
        f"{cfg.max_steps}) latency {cfg.latency}, {cfg.step_clocks} clock(s) per step",
        f"formats: x Q{cfg.x_int_bits}.{cfg.frac_bits}, eta sQ{cfg.eta_int_bits}.{cfg.frac_bits},"
        f" coefficients Q0.{cfg.coef_bits}; semantics: docs/semantics.md",
        "",
        "ports:",
        f"  {'clk':<14} in     1  {_PORT_MEANING['clk']}",
        f"  {'rst':<14} in     1  {_PORT_MEANING['rst']}",
    ]
    for path, member in engine_signature(cfg, debug=debug).members.flatten():
        if not member.is_port:
            continue
        name = "__".join(str(x) for x in path)
        width = Shape.cast(member.shape).width
        flow = "in " if member.flow == In else "out"
        lines.append(f"  {name:<14} {flow} {width:>4}  {_PORT_MEANING.get(name, '')}")
    lines += ["", "res__payload fields [msb:lsb]:"]
    for name, field in result_layout(cfg):
        width = Shape.cast(field.shape).width
        lines.append(f"  [{field.offset + width - 1}:{field.offset}] {name}")
    return "".join(f"// {line}".rstrip() + "\n" for line in lines)
