"""Hardware of the comparator-tree arg-max (``gaba.golden.argmax``), a trial engine.

For each trial of a run the engine draws the trial's n scores in one clock (the neurons'
seeding and one xorshift32 step each), runs them through a tournament of comparators with one
register per round (:class:`gaba.hdl.tree.ArgMax`), and offers the winner, its score and the
clocks the trial took on ``res``. The run inputs and the handshake are the integrator
baselines' (``gaba.sim.benches.trials`` drives either).
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from gaba.golden import primitives
from gaba.golden.argmax import ArgmaxConfig
from gaba.hdl import arith
from gaba.hdl.tree import ArgMax

__all__ = ["ArgmaxEngine", "result_layout"]


def result_layout(cfg: ArgmaxConfig) -> data.StructLayout:
    """One trial's result: the winner, its score, the clocks from load to result."""
    index = unsigned(max(1, (cfg.n - 1).bit_length()))
    return data.StructLayout({"winner": index, "max": unsigned(cfg.width), "clocks": 8})


class ArgmaxEngine(wiring.Component):
    """Runs ``count`` trials from trial ``first`` of the run seeded with ``seed``.

    Members
    -------
    start : In(1)
        Strobe: latch ``seed``, ``first`` and ``count`` (ignored while busy or with count 0).
    busy : Out(1)
        A run is in progress.
    res : Out(stream.Signature(result_layout(cfg)))
        One result per trial, in order.
    """

    def __init__(self, cfg: ArgmaxConfig):
        if not isinstance(cfg, ArgmaxConfig):
            raise ValueError(f"The arg-max engine needs an ArgmaxConfig, not {cfg!r}")
        self._cfg = cfg
        super().__init__(
            {
                "start": In(1),
                "seed": In(32),
                "first": In(32),
                "count": In(32),
                "busy": Out(1),
                "res": Out(stream.Signature(result_layout(cfg))),
            }
        )

    def elaborate(self, platform):
        cfg = self._cfg
        m = Module()
        m.submodules.tree = tree = ArgMax(cfg.n, cfg.width, stages=cfg.rounds)
        key, remaining = Signal(32), Signal(32)
        clocks = Signal(8)
        master = arith.fmix32(key)
        for i, salt in enumerate(primitives.neuron_salts(cfg.n).tolist()):
            score = Signal(cfg.width, name=f"score{i}")
            with m.If(self.busy & (clocks == 0)):  # the load clock of a trial
                m.d.sync += score.eq(arith.xorshift32((master ^ salt) | 1)[32 - cfg.width :])
            m.d.comb += tree.i[i].eq(score)

        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.start & (self.count != 0)):
                    m.d.sync += [
                        key.eq(arith.fmix32(self.seed) + self.first * Const(primitives.WEYL, 32)),
                        remaining.eq(self.count),
                        clocks.eq(0),
                    ]
                    m.next = "TRIAL"
            with m.State("TRIAL"):
                m.d.comb += self.busy.eq(1)
                m.d.sync += clocks.eq(clocks + 1)
                with m.If(clocks == cfg.rounds):  # loaded, then one clock per round
                    m.next = "RESULT"
            with m.State("RESULT"):
                m.d.comb += [
                    self.busy.eq(1),
                    self.res.valid.eq(1),
                    self.res.payload.winner.eq(tree.index),
                    self.res.payload.max.eq(tree.max),
                    self.res.payload.clocks.eq(clocks + 1),
                ]
                with m.If(self.res.ready):
                    m.d.sync += [
                        key.eq(key + primitives.WEYL),
                        remaining.eq(remaining - 1),
                        clocks.eq(0),
                    ]
                    m.next = "TRIAL"
                    with m.If(remaining == 1):
                        m.next = "IDLE"
        return m
