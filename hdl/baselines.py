"""Hardware of the baselines: fixed-time integrators, in parallel or one after another.

Both engines run trials exactly as ``gaba.golden.baselines.integrator_trials`` defines them:
option i integrates ``b_i + eta_i`` for ``steps`` steps from the same noise the network would
see (its xorshift32 seeded ``(master ^ fmix32(i + 1)) | 1``, Irwin-Hall sample, saturating OU
update), and the winner is the lowest index holding the largest sum.

- :class:`ParallelIntegrators`: n integrators step together for T cycles, then a comparator
  tree with one register stage per level finds the arg-max: T + ceil(log2 n) cycles from the
  first step to the result (:func:`gaba.golden.baselines.parallel_cycles`).
- :class:`SerialIntegrator`: one generator, one OU register and one accumulator visit the
  options in turn, T cycles each, reseeded between options (the salt comes from the engine's
  fmix32 unit), with a running maximum: n * T cycles (:func:`~gaba.golden.baselines.serial_cycles`).
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.hdl import arith
from gaba.hdl.tree import ArgMax

__all__ = ["ParallelIntegrators", "SerialIntegrator", "integrator_result_layout"]


def integrator_result_layout(cfg: Config) -> data.StructLayout:
    """Payload of one trial: winner, top-input option, cycles from first step to result."""
    index = unsigned(max(1, (cfg.n - 1).bit_length()))
    return data.StructLayout({"winner": index, "top": index, "cycles": 32})


def _signature(cfg: Config) -> wiring.Signature:
    return wiring.Signature(
        {
            "start": In(1),
            "seed": In(32),
            "first": In(32),
            "count": In(32),
            "steps": In(32),
            "busy": Out(1),
            "res": Out(stream.Signature(integrator_result_layout(cfg))),
        }
    )


class _Engine(wiring.Component):
    """Shared trial sequencing: keys, master word, top option, result handshake."""

    def __init__(self, cfg: Config):
        if not isinstance(cfg, Config):
            raise ValueError(f"Integrators need a gaba Config, not {cfg!r}")
        self._cfg = cfg
        super().__init__(_signature(cfg))

    def _acc_shape(self):
        # b + eta < 2**(x_bits + 1) in magnitude; 32 more bits hold any T < 2**32 exactly
        return signed(self._cfg.x_bits + self._cfg.eta_bits + 32)

    def _ou_step(self, m, rng, eta, name):
        """Advance one generator and its OU register; return (rng_next, eta_next) values."""
        cfg = self._cfg
        rng_next = Signal(32, name=f"{name}_rng_next")
        m.d.comb += rng_next.eq(arith.xorshift32(m, rng))
        value = arith.mulr(eta, cfg.ou_a_c, cfg.coef_bits) + arith.mulr(
            arith.irwin_hall4(rng_next), cfg.c_xi, cfg.coef_bits
        )
        total = Signal(value.shape(), name=f"{name}_eta_sum")
        m.d.comb += total.eq(value)
        eta_next, _, _ = arith.clamp(total, cfg.eta_min, cfg.eta_max)
        return rng_next, eta_next

    def _sequencer(self, m):
        """Key, master and top registers and the per-trial bookkeeping signals."""
        cfg = self._cfg
        seq = {
            "key": Signal(32, name="key"),
            "remaining": Signal(32, name="remaining"),
            "top": Signal(range(cfg.n), name="top"),
            "steps": Signal(32, name="steps_reg"),
            "cycles": Signal(32, name="cycles"),
        }
        seq["master"] = arith.fmix32(m, seq["key"], name="master")
        seq["drawn_top"] = arith.uniform_index(
            arith.fmix32(m, seq["key"] ^ primitives.TOP_SALT, name="top_hash"), cfg.n
        )
        return seq

    def _idle(self, m, seq):
        """IDLE state body: latch the run on ``start``."""
        with m.If(self.start & (self.count != 0) & (self.steps != 0)):
            m.d.sync += [
                seq["key"].eq(
                    arith.fmix32(m, self.seed, name="seed_hash")
                    + self.first * Const(primitives.WEYL, 32)
                ),
                seq["remaining"].eq(self.count),
                seq["steps"].eq(self.steps),
            ]
            m.next = "LOAD"

    def _result(self, m, seq, winner):
        """RESULT state body: offer the trial's result, then the next trial or idle."""
        m.d.comb += [
            self.res.valid.eq(1),
            self.res.payload.winner.eq(winner),
            self.res.payload.top.eq(seq["top"]),
            self.res.payload.cycles.eq(seq["cycles"]),
        ]
        with m.If(self.res.ready):
            m.d.sync += [
                seq["key"].eq(seq["key"] + primitives.WEYL),
                seq["remaining"].eq(seq["remaining"] - 1),
            ]
            with m.If(seq["remaining"] == 1):
                m.next = "IDLE"
            with m.Else():
                m.next = "LOAD"


class ParallelIntegrators(_Engine):
    """n integrators for ``steps`` cycles, then a pipelined comparator-tree arg-max."""

    def elaborate(self, platform):
        cfg, n = self._cfg, self._cfg.n
        m = Module()
        seq = self._sequencer(m)
        depth = (n - 1).bit_length()
        rng = [Signal(32, name=f"rng{i}", init=1) for i in range(n)]
        eta = [Signal(signed(cfg.eta_bits), name=f"eta{i}") for i in range(n)]
        acc = [Signal(self._acc_shape(), name=f"acc{i}") for i in range(n)]
        t = Signal(32)
        run = Signal()
        load = Signal()
        for i, salt in enumerate(primitives.neuron_salts(n).tolist()):
            rng_next, eta_next = self._ou_step(m, rng[i], eta[i], f"o{i}")
            b = Mux(seq["top"] == i, cfg.b_hi, cfg.b_lo)
            with m.If(load):
                m.d.sync += [rng[i].eq((seq["master"] ^ salt) | 1), eta[i].eq(0), acc[i].eq(0)]
            with m.Elif(run):
                m.d.sync += [
                    rng[i].eq(rng_next),
                    eta[i].eq(eta_next),
                    acc[i].eq(acc[i] + b + eta_next),
                ]

        # Comparator tree (hdl.tree.ArgMax), one register stage per level; the left (lower
        # index) wins ties. The accumulators are signed: flipping the sign bit maps them to
        # unsigned numbers in the same order.
        width = acc[0].shape().width
        m.submodules.argmax = argmax = ArgMax(n, width, stages=depth)
        for i, a in enumerate(acc):
            m.d.comb += argmax.i[i].eq(a.as_unsigned() ^ (1 << (width - 1)))
        best = argmax.index

        with m.FSM(name="fsm") as fsm:
            with m.State("IDLE"):
                self._idle(m, seq)
            with m.State("LOAD"):
                m.d.comb += load.eq(1)
                m.d.sync += [seq["top"].eq(seq["drawn_top"]), t.eq(0), seq["cycles"].eq(0)]
                m.next = "RUN"
            with m.State("RUN"):
                m.d.comb += run.eq(1)
                m.d.sync += [t.eq(t + 1), seq["cycles"].eq(seq["cycles"] + 1)]
                with m.If(t + 1 == seq["steps"]):
                    m.next = "TREE" if depth else "RESULT"
            with m.State("TREE"):
                m.d.sync += [t.eq(t + 1), seq["cycles"].eq(seq["cycles"] + 1)]
                with m.If(t + 1 == seq["steps"] + depth):
                    m.next = "RESULT"
            with m.State("RESULT"):
                self._result(m, seq, best)
        m.d.comb += self.busy.eq(~fsm.ongoing("IDLE"))
        return m


class SerialIntegrator(_Engine):
    """One integrator visiting the options in turn, ``steps`` cycles each."""

    def elaborate(self, platform):
        cfg, n = self._cfg, self._cfg.n
        m = Module()
        seq = self._sequencer(m)
        rng = Signal(32, init=1)
        eta = Signal(signed(cfg.eta_bits))
        acc = Signal(self._acc_shape())
        best = Signal(self._acc_shape())
        best_i = Signal(range(n))
        option = Signal(range(n + 1))
        t = Signal(32)
        rng_next, eta_next = self._ou_step(m, rng, eta, "o")
        b = Mux(seq["top"] == option, cfg.b_hi, cfg.b_lo)
        acc_next = Signal.like(acc)
        m.d.comb += acc_next.eq(acc + b + eta_next)
        last_step = t + 1 == seq["steps"]

        with m.FSM(name="fsm") as fsm:
            with m.State("IDLE"):
                self._idle(m, seq)
            with m.State("LOAD"):
                m.d.sync += [
                    seq["top"].eq(seq["drawn_top"]),
                    option.eq(0),
                    t.eq(0),
                    seq["cycles"].eq(0),
                    # option i's generator starts at (master ^ fmix32(i + 1)) | 1
                    rng.eq((seq["master"] ^ arith.fmix32(m, Const(1, 32))) | 1),
                    eta.eq(0),
                    acc.eq(0),
                ]
                m.next = "RUN"
            with m.State("RUN"):
                m.d.sync += [
                    rng.eq(rng_next),
                    eta.eq(eta_next),
                    acc.eq(acc_next),
                    t.eq(t + 1),
                    seq["cycles"].eq(seq["cycles"] + 1),
                ]
                with m.If(last_step):
                    # option done: keep it if strictly larger (ties stay with the lower index),
                    # and reseed for the next option in the same cycle
                    with m.If((option == 0) | (acc_next > best)):
                        m.d.sync += [best.eq(acc_next), best_i.eq(option)]
                    m.d.sync += [
                        option.eq(option + 1),
                        t.eq(0),
                        acc.eq(0),
                        eta.eq(0),
                        rng.eq(
                            (seq["master"] ^ arith.fmix32(m, option + 2, name="option_hash")) | 1
                        ),
                    ]
                    with m.If(option == n - 1):
                        m.next = "RESULT"
            with m.State("RESULT"):
                self._result(m, seq, best_i)
        m.d.comb += self.busy.eq(~fsm.ongoing("IDLE"))
        return m
