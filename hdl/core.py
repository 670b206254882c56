"""The evidence-in core: nWTA (or conventional WTA) as a building block for a user's design.

Evidence streams in, results stream out (``amaranth.lib.stream``, backpressure on both sides),
and the run-time values are inputs a register file drives (``gaba.hdl.regs``). Each trial is
``gaba.golden.evidence.run_evidence``'s, bit for bit.

The input stream carries one value a beat (``evidence_bits`` wide: x's format, Q{x_int}.F,
zero-extended to whole bytes) and a ``last`` flag. n beats make a vector (value i is option
i's input); ``last`` on a vector's n-th beat marks the trial's last vector (elsewhere it is
not read). A trial's first vector starts it. Vector k is the input of steps ``k * hold`` ..
``(k + 1) * hold - 1``, and the last one stays until the trial ends: one vector is fixed
evidence; more are evidence that changes as it arrives. When the network needs the next vector
and it has not all arrived, the network waits (no step is taken), so the trial's result does
not depend on when the beats come. A value above b_hi (the Config's b_max) is clamped to it,
and the result says so (``in_sat``) when a step read the vector that held it. When the trial
decides or reaches ``horizon`` steps its result is offered; the vectors of the trial that are
still to come are then taken and dropped, up to its last.

Noise is the Config's: with sigma > 0 trial j after the last ``seed_load`` seeds its
generators from trial key j of ``seed``, exactly as the task's trials do (serial fmix32
hashes, :class:`gaba.hdl.seeding.SerialHash`, 65 clocks each: two after a seed, then one a
trial, hashed while the trial before runs); with sigma = 0 no OU loop and no hasher is built (the
generators then feed nothing, and synthesis removes them).

Cycle budget of a trial on the parallel network (one clock per step, ``gaba.hdl.nwta``): the
hashes after a seed (with noise; later trials wait for theirs only when the trial before took
fewer than about 65 clocks), the first vector's n beats (received while the trial before ran,
where it has ended its input), a load clock, the network's 4 priming clocks, one clock per
step and one clock per vector change beyond the first, the arg-max's pipeline, and the
result. On the folded network (``lanes``, ``gaba.hdl.folded``): the same hashes and first
vector, a load clock and one more, :func:`clocks_per_step` clocks a step (no priming; a pass
is held back only while its vector is still arriving), the last pass's way to the
accumulators (``folded.acc_stage``), and the result.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.golden.evidence import HOLD_BITS, Registers, beats, evidence_bits, whole_bytes
from gaba.golden.validate import check_seed
from gaba.hdl import folded
from gaba.hdl.folded import FoldedNetwork
from gaba.hdl.nwta import Network, winner_clocks
from gaba.hdl.seeding import OP_FMIX32, SerialHash

__all__ = [
    "ADDRESS_BITS",
    "REGISTERS",
    "AxiStreamCore",
    "EvidenceCore",
    "beat_layout",
    "check_evidence_config",
    "clocks_per_step",
    "core_result_layout",
    "info_word",
    "register_values",
    "result_bits",
    "send_trial",
]


def check_evidence_config(cfg, who: str) -> None:
    """Refuse (ValueError, naming ``who``) what is not a Config the evidence core runs: the
    parallel network of one clock per step, or the folded one (``lanes``)."""
    if not isinstance(cfg, Config):
        raise ValueError(f"{who} needs a gaba Config, not {cfg!r}")
    if cfg.step_clocks != 1:
        raise ValueError(
            f"{who} runs the parallel network of one clock per step or the folded one "
            f"(lanes): step_clocks 1, not {cfg.step_clocks}"
        )
    if cfg.n > 0xFFFF:
        raise ValueError(f"{who} takes at most 65535 options (INFO's n field), not {cfg.n}")


def clocks_per_step(cfg: Config) -> int:
    """Clocks the core's network takes a step once a trial runs: 1 (parallel), or
    ``gaba.hdl.folded.pass_clocks`` (folded)."""
    return folded.pass_clocks(cfg) if cfg.lanes is not None else 1


def beat_layout(cfg: Config) -> data.StructLayout:
    """One beat of the evidence stream: a value and the trial's-last-vector flag."""
    return data.StructLayout({"value": unsigned(evidence_bits(cfg)), "last": 1})


async def send_trial(ctx, stream, trial, stall=lambda: False) -> None:
    """Amaranth testbench: offer ``trial``'s beats (``gaba.golden.evidence.beats``) on an
    ``evidence`` stream (:func:`beat_layout`), first waiting a clock for as long as ``stall()``
    says so before each beat; returns once the last beat is taken."""
    for value, last in beats(trial):
        while stall():
            await ctx.tick()
        ctx.set(stream.payload, {"value": value, "last": last})
        ctx.set(stream.valid, 1)
        await ctx.tick().until(stream.ready)
        ctx.set(stream.valid, 0)


def core_result_layout(cfg: Config) -> data.StructLayout:
    """One trial's result (fields packed from bit 0 in this order).

    winner: the lowest index of the largest x (meaningless unless ``decided``); steps: the
    steps taken (the horizon when it timed out); decided; timeout (not decided within the
    horizon); eta_sat, r_sat: the sticky saturation flags; in_sat: a step read a clamped
    input; digest: the final-state digest of x and eta (``gaba.golden.fixed.digest``).
    """
    return data.StructLayout(
        {
            "winner": unsigned(max(1, (cfg.n - 1).bit_length())),
            "steps": unsigned(cfg.max_steps.bit_length()),
            "decided": 1,
            "timeout": 1,
            "eta_sat": 1,
            "r_sat": 1,
            "in_sat": 1,
            "digest": 32,
        }
    )


class EvidenceCore(wiring.Component):
    """The evidence-in nWTA/WTA core (see the module's description).

    Members
    -------
    evidence : In(stream.Signature(beat_layout(cfg)))
        The input values, n beats a vector.
    results : Out(stream.Signature(core_result_layout(cfg)))
        One payload per trial.
    seed : In(32)
        The run's seed, taken at ``seed_load``.
    seed_load : In(1)
        Strobe: take ``seed``; the next trial to start (to take its first vector) is trial 0
        of it (reset: seed 0).
    hold : In(HOLD_BITS)
        Steps each vector lasts (0 counts as 1), taken at each trial's start.
    horizon : In(steps width)
        Steps after which a trial times out (0 counts as 1), taken at each trial's start.
    theta, stop : In(x_bits)
        The gate threshold (nWTA) and the decision threshold (0 counts as 1), taken at each
        trial's start.
    busy : Out(1)
        The core is working: hashing a seed or a trial's master word, or running a trial
        from its first vector until its last one is taken (idle: waiting for a first vector).
    step : Out(1)
        A step of the trial is committed in this clock (one pulse a step: the result's
        ``steps`` counts them).
    """

    def __init__(self, cfg: Config):
        check_evidence_config(cfg, "EvidenceCore")
        self._cfg = cfg
        super().__init__(
            {
                "evidence": In(stream.Signature(beat_layout(cfg))),
                "results": Out(stream.Signature(core_result_layout(cfg))),
                "seed": In(32),
                "seed_load": In(1),
                "hold": In(HOLD_BITS, init=1),
                "horizon": In(cfg.max_steps.bit_length(), init=cfg.max_steps),
                "theta": In(cfg.x_bits, init=cfg.theta_q),
                "stop": In(cfg.x_bits, init=cfg.stop_q),
                "busy": Out(1),
                "step": Out(1),
            }
        )

    @property
    def config(self) -> Config:
        return self._cfg

    def elaborate(self, platform):
        cfg = self._cfg
        n = cfg.n
        noise = cfg.c_xi != 0
        fold = cfg.lanes is not None
        m = Module()
        if fold:
            m.submodules.network = net = FoldedNetwork(cfg, evidence=True)
        else:
            m.submodules.network = net = Network(cfg, evidence=True)
        value_shape = unsigned(cfg.x_bits)

        # -- the input side: n beats make the pending vector (``pend_full``) ----------------
        # parallel: they shift into ``pend``; folded: beat i is written as neuron i's input
        # into the bank of the network's evidence memory that the passes do not read
        pend_full, pend_last = Signal(), Signal()
        fill = Signal(range(n))
        take = Signal()  # the FSM frees the pending vector in this clock
        beat = self.evidence.payload
        over = beat.value > cfg.b_hi
        clamped = Mux(over, cfg.b_hi, beat.value[: cfg.x_bits])
        accept = self.evidence.valid & ~pend_full
        m.d.comb += self.evidence.ready.eq(~pend_full)
        if fold:
            rbank = Signal()  # the bank of the vector the passes read
            m.d.comb += [
                net.ev_we.eq(accept),
                net.ev_addr.eq(fill),
                net.ev_bank.eq(~rbank),
                net.ev_data.value.eq(clamped),
                net.ev_data.clamp.eq(over),
                net.bank.eq(rbank),
            ]
        else:
            pend = Signal(data.ArrayLayout(value_shape, n))
            pend_sat = Signal()
            with m.If(accept):
                m.d.sync += [pend[i].eq(pend[i + 1]) for i in range(n - 1)]
                m.d.sync += [pend[n - 1].eq(clamped), pend_sat.eq(over | ((fill != 0) & pend_sat))]
        with m.If(accept):
            with m.If(fill == n - 1):
                m.d.sync += [fill.eq(0), pend_full.eq(1), pend_last.eq(beat.last)]
            with m.Else():
                m.d.sync += fill.eq(fill + 1)
        with m.If(take):
            m.d.sync += pend_full.eq(0)

        # -- the trial: the vector the network reads, and the run-time values --------------
        final = Signal()  # the vector the network reads is the trial's last
        hold = Signal(HOLD_BITS)
        horizon = Signal.like(self.horizon)
        theta, stop = Signal.like(self.theta), Signal.like(self.stop)
        until = Signal(HOLD_BITS)  # steps left on the vector the network reads
        steps = Signal(unsigned(cfg.max_steps.bit_length()))
        m.d.comb += [net.theta.eq(theta), net.stop.eq(stop)]
        if fold:
            en = Signal()  # the passes go on (from the load to the result)
            m.d.comb += net.en.eq(en)
            in_sat = net.in_sat  # the network tracks the inputs' clamp marks itself

            def swap():
                m.d.comb += take.eq(1)
                m.d.sync += [rbank.eq(~rbank), final.eq(pend_last)]

        else:
            vec = Signal(data.ArrayLayout(value_shape, n))
            vec_sat, c_sat, in_sat = Signal(), Signal(), Signal()
            swapped = Signal()  # vec already holds the vector after it
            m.d.comb += net.b.eq(vec)
            # the clamp flag travels as the vector does: with C (computed from vec a step
            # ahead) into the step that reads it, then into the trial's flag when that step
            # is taken
            with m.If(net.load):
                m.d.sync += c_sat.eq(0)
            with m.Elif(net.en):  # priming clocks and steps: the clocks C is computed in
                m.d.sync += c_sat.eq(vec_sat)
            with m.If(net.commit):
                m.d.sync += in_sat.eq(in_sat | c_sat)

            def swap():
                m.d.comb += take.eq(1)
                m.d.sync += [vec.eq(pend), final.eq(pend_last), vec_sat.eq(pend_sat)]

        # -- seeding ------------------------------------------------------------------------
        seed = Signal(32)
        rekey = Signal(init=1)
        key, master = Signal(32), Signal(32)
        with m.If(self.seed_load):
            m.d.sync += [seed.eq(self.seed), rekey.eq(1)]
        m.d.comb += net.master.eq(master)
        # the next trial's master word is hashed while this trial runs (kicked at its load);
        # ``fresh`` says master_next holds it, ``prefetching`` that the hasher is on it
        master_next, fresh, prefetching = Signal(32), Signal(), Signal()
        if noise:
            m.submodules.hash = hasher = SerialHash()
            m.d.comb += hasher.op.eq(OP_FMIX32)
            with m.If(hasher.done & prefetching):
                m.d.sync += [master_next.eq(hasher.o), fresh.eq(1), prefetching.eq(0)]

        wait = 0 if fold else winner_clocks(cfg)
        settle = Signal(range(max(1, wait)))
        result = self.results.payload

        def capture():
            m.d.sync += [
                result.winner.eq(net.winner),
                result.steps.eq(steps),
                result.decided.eq(net.decided),
                result.timeout.eq(~net.decided),
                result.eta_sat.eq(net.eta_sat),
                result.r_sat.eq(net.r_sat),
                result.in_sat.eq(in_sat),
                result.digest.eq(net.digest),
            ]
            m.next = "RESULT"

        with m.FSM(name="fsm") as fsm:
            # the reset state drives nothing: event-driven simulators (Icarus) evaluate a
            # state's combinational outputs only once the state register has changed
            with m.State("BOOT"):
                m.next = "START"
            with m.State("START"):  # (a seed taken in this clock waits a clock)
                if noise:
                    with m.If(self.seed_load | prefetching):
                        pass  # the hasher finishes the prefetch first
                    with m.Elif(fresh & ~rekey):  # prefetched while the last trial ran
                        m.d.sync += [master.eq(master_next), fresh.eq(0)]
                        m.next = "WAIT"
                    with m.Else():
                        m.d.sync += [rekey.eq(0), fresh.eq(0)]
                        m.d.comb += [hasher.start.eq(1), hasher.i.eq(Mux(rekey, seed, key))]
                        with m.If(rekey):
                            m.next = "REKEY"
                        with m.Else():
                            m.next = "HASH"
                else:
                    with m.If(~self.seed_load):
                        m.d.sync += rekey.eq(0)
                        m.next = "WAIT"
            if noise:
                with m.State("REKEY"):  # key = fmix32(seed): trial 0's key
                    with m.If(hasher.done):
                        m.d.sync += key.eq(hasher.o)
                        m.next = "REKEYED"
                with m.State("REKEYED"):
                    m.d.comb += [hasher.start.eq(1), hasher.i.eq(key)]
                    m.next = "HASH"
                with m.State("HASH"):  # master = fmix32(key)
                    with m.If(hasher.done):
                        m.d.sync += master.eq(hasher.o)
                        m.next = "WAIT"
            with m.State("WAIT"):  # the trial's first vector
                with m.If(rekey | self.seed_load):  # a seed since this trial's hashes
                    m.next = "START"
                with m.Elif(pend_full):
                    swap()
                    m.d.sync += [
                        hold.eq(Mux(self.hold == 0, 1, self.hold)),
                        until.eq(Mux(self.hold == 0, 1, self.hold)),
                        horizon.eq(Mux(self.horizon == 0, 1, self.horizon)),
                        theta.eq(self.theta),
                        stop.eq(Mux(self.stop == 0, 1, self.stop)),
                    ]
                    if not fold:
                        m.d.sync += [in_sat.eq(0), swapped.eq(0)]
                    m.next = "LOAD"
            with m.State("LOAD"):
                m.d.comb += net.load.eq(1)
                m.d.sync += steps.eq(0)
                if fold:
                    m.d.sync += en.eq(1)
                if noise:  # the next trial's master word: fmix32 of the next key
                    m.d.comb += [
                        hasher.start.eq(1),
                        hasher.i.eq(key + Const(primitives.WEYL, 32)),
                    ]
                    m.d.sync += prefetching.eq(1)
                m.next = "RUN"
            with m.State("RUN"):
                if fold:
                    # ``until`` counts the passes: one starts on the vector in rbank while
                    # it is not used up; the next vector swaps in once the last pass on
                    # this one has started (its rows are read ahead of the refill)
                    need = (until == 0) & ~final
                    m.d.comb += net.hold.eq(need)
                    with m.If(net.commit):
                        m.d.sync += steps.eq(steps + 1)
                    with m.If(net.started & (until != 0)):
                        m.d.sync += until.eq(until - 1)
                    with m.If(net.ready & (net.decided | (steps == horizon))):
                        m.d.sync += en.eq(0)
                        capture()
                    with m.Elif(need & pend_full):
                        swap()
                        m.d.sync += until.eq(hold)
                else:
                    boundary = (until == 1) & ~final & ~swapped
                    with m.If(~net.ready):  # priming: C for step 0 is computed from vec
                        m.d.comb += net.en.eq(1)
                    with m.Elif(net.decided | (steps == horizon)):
                        m.d.sync += settle.eq(max(0, wait - 1))
                        m.next = "SETTLE" if wait else "CAPTURE"
                    with m.Elif(boundary):  # the step's commit needs the next vector in vec
                        with m.If(pend_full):
                            swap()
                            m.d.sync += swapped.eq(1)
                    with m.Else():
                        m.d.comb += net.en.eq(1)
                        m.d.sync += [
                            steps.eq(steps + 1),
                            until.eq(Mux(until == 1, hold, until - 1)),
                            swapped.eq(0),
                        ]
            if not fold:
                if wait:
                    with m.State("SETTLE"):  # the state holds still while the arg-max catches up
                        m.d.sync += settle.eq(settle - 1)
                        with m.If(settle == 0):
                            m.next = "CAPTURE"
                with m.State("CAPTURE"):
                    capture()
            with m.State("RESULT"):
                m.d.comb += self.results.valid.eq(1)
                # the trial's vectors still to come are dropped while its result waits, so
                # a source that sends a whole trial before it reads the result never blocks
                with m.If(pend_full & ~final):
                    m.d.comb += take.eq(1)
                    m.d.sync += final.eq(pend_last)
                with m.If(self.results.ready):
                    m.d.sync += key.eq(key + Const(primitives.WEYL, 32))
                    m.next = "DRAIN"
            with m.State("DRAIN"):  # the trial's vectors still to come are dropped
                with m.If(final):
                    m.next = "START"
                with m.Elif(pend_full):
                    m.d.comb += take.eq(1)
                    with m.If(pend_last):
                        m.next = "START"
        # (a folded network may finish a speculative pass once the trial has ended)
        m.d.comb += self.step.eq(net.commit & fsm.ongoing("RUN") if fold else net.commit)
        idle = fsm.ongoing("BOOT") | fsm.ongoing("START") | fsm.ongoing("WAIT")
        m.d.comb += self.busy.eq(~idle | (hasher.busy if noise else 0))
        return m


#: The register file's words (Wishbone word addresses; byte address = 4 x word).
REGISTERS = {
    "INFO": 0,  # RO: [15:0] n, [16] nWTA, [17] noise, [22:18] log2(lanes)+1, [31:24] x_bits
    "SEED": 1,  # RW: a write also restarts the trial count (the next trial is trial 0)
    "HOLD": 2,  # RW: steps each input vector lasts (0 counts as 1)
    "HORIZON": 3,  # RW: steps after which a trial times out (0 counts as 1)
    "THETA": 4,  # RW: the gate threshold, x's format (nWTA)
    "STOP": 5,  # RW: the decision threshold, x's format (0 counts as 1)
    "STATUS": 6,  # RO: [0] busy
    "TRIALS": 7,  # RO: results handed out since reset (wraps at 2**32)
}
#: Width of the Wishbone word address.
ADDRESS_BITS = 4


def info_word(cfg: Config) -> int:
    """The INFO register's value for ``cfg``: n; nWTA (0: conventional WTA); noise; the folded
    network's log2(lanes) + 1 (0: the parallel network); x_bits."""
    lanes = cfg.lanes.bit_length() if cfg.lanes else 0
    return (
        cfg.n | (cfg.kind == "nwta") << 16 | (cfg.c_xi != 0) << 17 | lanes << 18 | cfg.x_bits << 24
    )


def register_values(cfg: Config, registers: Registers, seed: int) -> dict:
    """What a run writes to the register file (name -> value) for ``registers`` and ``seed``
    (SEED last: its write restarts the trial count)."""
    values = registers.resolved(cfg)
    return {
        "HOLD": values["hold"],
        "HORIZON": values["max_steps"],
        "THETA": values["theta_q"],
        "STOP": values["stop_q"],
        "SEED": check_seed(seed),
    }


def result_bits(cfg: Config) -> int:
    """Width of a result on the AXI-Stream: the result layout rounded up to whole bytes."""
    return whole_bytes(core_result_layout(cfg).size)


class AxiStreamCore(wiring.Component):
    """:class:`EvidenceCore` with AXI-Stream ports and a Wishbone B4 classic register file:
    the exported core (``gaba export``).

    Ports (besides ``clk`` and ``rst``, active high, synchronous)
    ---------------------------------------------------------------
    s_axis_tdata, s_axis_tvalid, s_axis_tready, s_axis_tlast
        The evidence: one value a beat (``evidence_bits`` wide), n beats a vector, tlast on
        the last beat of a trial's last vector.
    m_axis_tdata, m_axis_tvalid, m_axis_tready, m_axis_tlast
        One result a beat (:func:`core_result_layout` from bit 0, zero-padded to
        :func:`result_bits`); tlast is always high (a result is a packet).
    wb_cyc, wb_stb, wb_we, wb_adr, wb_dat_w, wb_sel, wb_dat_r, wb_ack
        Wishbone B4 classic slave, 32-bit data, word addresses (:data:`REGISTERS`), byte
        selects honoured; every access is acknowledged in the clock after its strobe (while
        cyc and stb stay high: an access is done at its strobe, so one the master abandons
        has still taken effect).
    """

    def __init__(self, cfg: Config):
        check_evidence_config(cfg, "AxiStreamCore")
        self._cfg = cfg
        w = evidence_bits(cfg)
        super().__init__(
            {
                "s_axis_tdata": In(w),
                "s_axis_tvalid": In(1),
                "s_axis_tready": Out(1),
                "s_axis_tlast": In(1),
                "m_axis_tdata": Out(result_bits(cfg)),
                "m_axis_tvalid": Out(1),
                "m_axis_tready": In(1),
                "m_axis_tlast": Out(1),
                "wb_cyc": In(1),
                "wb_stb": In(1),
                "wb_we": In(1),
                "wb_adr": In(ADDRESS_BITS),
                "wb_dat_w": In(32),
                "wb_sel": In(4),
                "wb_dat_r": Out(32),
                "wb_ack": Out(1),
            }
        )

    @property
    def config(self) -> Config:
        return self._cfg

    def elaborate(self, platform):
        cfg = self._cfg
        m = Module()
        m.submodules.core = core = EvidenceCore(cfg)
        m.d.comb += [
            core.evidence.payload.value.eq(self.s_axis_tdata),
            core.evidence.payload.last.eq(self.s_axis_tlast),
            core.evidence.valid.eq(self.s_axis_tvalid),
            self.s_axis_tready.eq(core.evidence.ready),
            self.m_axis_tdata.eq(core.results.payload.as_value()),
            self.m_axis_tvalid.eq(core.results.valid),
            core.results.ready.eq(self.m_axis_tready),
            self.m_axis_tlast.eq(1),
        ]

        # the register file: each register its own width, reset to the Config's value
        regs = {
            "SEED": Signal(32, name="reg_seed"),
            "HOLD": Signal.like(core.hold, name="reg_hold"),
            "HORIZON": Signal.like(core.horizon, name="reg_horizon"),
            "THETA": Signal.like(core.theta, name="reg_theta"),
            "STOP": Signal.like(core.stop, name="reg_stop"),
        }
        trials = Signal(32)
        with m.If(core.results.valid & core.results.ready):
            m.d.sync += trials.eq(trials + 1)
        m.d.comb += [
            core.seed.eq(regs["SEED"]),
            core.hold.eq(regs["HOLD"]),
            core.horizon.eq(regs["HORIZON"]),
            core.theta.eq(regs["THETA"]),
            core.stop.eq(regs["STOP"]),
        ]
        read = {
            "INFO": Const(info_word(cfg), 32),
            **regs,
            "STATUS": core.busy,
            "TRIALS": trials,
        }
        seed_written = Signal()
        m.d.sync += seed_written.eq(0)
        m.d.comb += core.seed_load.eq(seed_written)
        # the acknowledgement a clock after the strobe, shown only while the cycle lasts (a
        # master that ends its cycle early never sees a stray ack)
        acked = Signal()
        access = self.wb_cyc & self.wb_stb & ~acked
        m.d.sync += acked.eq(access)
        m.d.comb += self.wb_ack.eq(acked & self.wb_cyc & self.wb_stb)
        mask = Cat(*(bit.replicate(8) for bit in self.wb_sel))
        with m.If(access):
            with m.Switch(self.wb_adr):
                for name, word in REGISTERS.items():
                    with m.Case(word):
                        m.d.sync += self.wb_dat_r.eq(read[name])
                        if name in regs:
                            reg = regs[name]
                            with m.If(self.wb_we):
                                merged = (reg & ~mask) | (self.wb_dat_w & mask)
                                m.d.sync += reg.eq(merged[: len(reg)])
                                if name == "SEED":  # the core takes it a clock later
                                    m.d.sync += seed_written.eq(self.wb_sel.any())
                with m.Default():
                    m.d.sync += self.wb_dat_r.eq(0)
        return m
