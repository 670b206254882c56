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
generators from trial key j of ``seed``, exactly as the task's trials do (two serial fmix32
hashes, :class:`gaba.hdl.seeding.SerialHash`, 65 clocks each); with sigma = 0 no generator
is built.

Cycle budget of a trial (one clock per step, ``gaba.hdl.nwta``): the hashes (with noise),
the first vector's n beats (received while the trial before ran, where it has ended its
input), a load clock, the network's 4 priming clocks, one clock per step and one clock per
vector change beyond the first, the arg-max's pipeline, and the result.
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.golden.evidence import HOLD_BITS, evidence_bits
from gaba.hdl.nwta import Network, winner_clocks
from gaba.hdl.seeding import OP_FMIX32, SerialHash

__all__ = ["EvidenceCore", "beat_layout", "core_result_layout"]


def beat_layout(cfg: Config) -> data.StructLayout:
    """One beat of the evidence stream: a value and the trial's-last-vector flag."""
    return data.StructLayout({"value": unsigned(evidence_bits(cfg)), "last": 1})


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
        Strobe: take ``seed``; the next trial to start is trial 0 of it (reset: seed 0).
    hold : In(HOLD_BITS)
        Steps each vector lasts (at least 1), taken at each trial's start.
    horizon : In(steps width)
        Steps after which a trial times out (at least 1), taken at each trial's start.
    theta, stop : In(x_bits)
        The gate threshold (nWTA) and the decision threshold, taken at each trial's start.
    busy : Out(1)
        A trial is under way (from its first vector to its result's hand-over).
    """

    def __init__(self, cfg: Config):
        if not isinstance(cfg, Config):
            raise ValueError(f"EvidenceCore needs a gaba Config, not {cfg!r}")
        if cfg.step_clocks != 1 or cfg.lanes is not None:
            raise ValueError(
                "EvidenceCore runs the parallel network of one clock per step: "
                f"step_clocks 1 and no lanes, not {cfg.step_clocks} and {cfg.lanes}"
            )
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
            }
        )

    @property
    def config(self) -> Config:
        return self._cfg

    def elaborate(self, platform):
        cfg = self._cfg
        n = cfg.n
        noise = cfg.c_xi != 0
        m = Module()
        m.submodules.network = net = Network(cfg, evidence=True)
        value_shape = unsigned(cfg.x_bits)

        # -- the input side: n beats shift into ``pend``; a full pend is one vector ----------
        pend = Signal(data.ArrayLayout(value_shape, n))
        pend_full, pend_last, pend_sat = Signal(), Signal(), Signal()
        fill = Signal(range(n))
        take = Signal()  # the FSM empties pend in this clock
        beat = self.evidence.payload
        over = beat.value > cfg.b_hi
        clamped = Mux(over, cfg.b_hi, beat.value[: cfg.x_bits])
        m.d.comb += self.evidence.ready.eq(~pend_full)
        with m.If(self.evidence.valid & ~pend_full):
            m.d.sync += [pend[i].eq(pend[i + 1]) for i in range(n - 1)]
            m.d.sync += [pend[n - 1].eq(clamped), pend_sat.eq(over | ((fill != 0) & pend_sat))]
            with m.If(fill == n - 1):
                m.d.sync += [fill.eq(0), pend_full.eq(1), pend_last.eq(beat.last)]
            with m.Else():
                m.d.sync += fill.eq(fill + 1)
        with m.If(take):
            m.d.sync += pend_full.eq(0)

        # -- the trial: the vector the network reads next, and the run-time values ------------
        vec = Signal(data.ArrayLayout(value_shape, n))
        final = Signal()  # vec is the trial's last vector
        vec_sat, c_sat, trial_sat = Signal(), Signal(), Signal()
        hold = Signal(HOLD_BITS)
        horizon = Signal.like(self.horizon)
        theta, stop = Signal.like(self.theta), Signal.like(self.stop)
        until = Signal(HOLD_BITS)  # steps left on the vector the step under way reads
        swapped = Signal()  # vec already holds the vector after it
        steps = Signal(unsigned(cfg.max_steps.bit_length()))
        m.d.comb += [
            net.b.eq(vec),
            net.theta.eq(theta),
            net.stop.eq(stop),
        ]
        # the clamp flag travels as the vector does: with C (computed from vec a step ahead)
        # into the step that reads it, then into the trial's flag when that step is taken
        with m.If(net.load):
            m.d.sync += c_sat.eq(0)
        with m.Elif(net.en):  # priming clocks and steps: the clocks C is computed in
            m.d.sync += c_sat.eq(vec_sat)
        with m.If(net.commit):
            m.d.sync += trial_sat.eq(trial_sat | c_sat)

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
        if noise:
            m.submodules.hash = hasher = SerialHash()
            m.d.comb += hasher.op.eq(OP_FMIX32)

        wait = winner_clocks(cfg)
        settle = Signal(range(max(1, wait)))
        result = self.results.payload
        with m.FSM(name="fsm") as fsm:
            with m.State("START"):  # (a seed taken in this clock waits a clock)
                with m.If(~self.seed_load):
                    m.d.sync += rekey.eq(0)
                    if noise:
                        m.d.comb += [hasher.start.eq(1), hasher.i.eq(Mux(rekey, seed, key))]
                        with m.If(rekey):
                            m.next = "REKEY"
                        with m.Else():
                            m.next = "HASH"
                    else:
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
                with m.If(pend_full):
                    swap()
                    m.d.sync += [
                        hold.eq(Mux(self.hold == 0, 1, self.hold)),
                        until.eq(Mux(self.hold == 0, 1, self.hold)),
                        horizon.eq(Mux(self.horizon == 0, 1, self.horizon)),
                        theta.eq(self.theta),
                        stop.eq(self.stop),
                        trial_sat.eq(0),
                        swapped.eq(0),
                    ]
                    m.next = "LOAD"
            with m.State("LOAD"):
                m.d.comb += net.load.eq(1)
                m.d.sync += steps.eq(0)
                m.next = "RUN"
            with m.State("RUN"):
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
            if wait:
                with m.State("SETTLE"):  # the state holds still while the arg-max catches up
                    m.d.sync += settle.eq(settle - 1)
                    with m.If(settle == 0):
                        m.next = "CAPTURE"
            with m.State("CAPTURE"):
                m.d.sync += [
                    result.winner.eq(net.winner),
                    result.steps.eq(steps),
                    result.decided.eq(net.decided),
                    result.timeout.eq(~net.decided),
                    result.eta_sat.eq(net.eta_sat),
                    result.r_sat.eq(net.r_sat),
                    result.in_sat.eq(trial_sat),
                    result.digest.eq(net.digest),
                ]
                m.next = "RESULT"
            with m.State("RESULT"):
                m.d.comb += self.results.valid.eq(1)
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
        m.d.comb += self.busy.eq(~fsm.ongoing("START") & ~fsm.ongoing("WAIT"))
        return m
