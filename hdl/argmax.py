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

__all__ = ["ArgmaxEngine", "ScoreEngine", "generator_words", "result_layout"]


def result_layout(cfg: ArgmaxConfig) -> data.StructLayout:
    """One trial's result: the winner, its score, the clocks from load to result."""
    index = unsigned(max(1, (cfg.n - 1).bit_length()))
    return data.StructLayout({"winner": index, "max": unsigned(cfg.width), "clocks": 8})


def generator_words(m, key, n: int, width: int) -> list:
    """The top ``width`` bits of each of n generators' first word, seeded as the network
    seeds its neurons from the trial's master word fmix32(``key``) (``gaba.golden.argmax``'s
    ``scores``)."""
    master = arith.fmix32(m, key, name="master")
    return [
        arith.xorshift32(m, (master ^ salt) | 1, name=f"generator{i}")[32 - width :]
        for i, salt in enumerate(primitives.neuron_salts(n).tolist())
    ]


class ScoreEngine(wiring.Component):
    """Runs ``count`` trials from trial ``first`` of the run seeded with ``seed``; each trial
    draws its n scores and a selector (:meth:`select`) picks among them.

    Members
    -------
    start : In(1)
        Strobe: latch ``seed``, ``first`` and ``count`` (ignored while busy or with count 0).
    busy : Out(1)
        A run is in progress.
    res : Out(stream.Signature(layout))
        One result per trial, in order: the selector's fields and ``clocks``, the clocks from
        the trial's load to its result (the layout's ``clocks`` field must hold every trial's:
        the engine counts in a register of its width).

    ``ports``: an engine's other run inputs (name: ``In(shape)``), set with ``seed``.
    """

    def __init__(self, cfg, layout: data.StructLayout, ports: dict | None = None):
        self._cfg, self._clocks_shape = cfg, layout.members["clocks"]
        super().__init__(
            {
                "start": In(1),
                "seed": In(32),
                "first": In(32),
                "count": In(32),
                "busy": Out(1),
                "res": Out(stream.Signature(layout)),
                **(ports or {}),
            }
        )

    def draw(self, m: Module, key, trial) -> list:
        """The trial's n scores (``width`` bits each): by default drawn from the neurons'
        generators seeded from the trial's ``key`` (the module docstring of
        ``gaba.golden.argmax``); ``trial`` is the trial's index in the run (``first`` + the
        trials done, 32 bits), for engines whose scores follow from it instead."""
        return generator_words(m, key, self._cfg.n, self._cfg.width)

    def select(self, m: Module, drawn: list, load, clocks, trial) -> tuple:
        """The selector, built into ``m``: ``drawn`` are the trial's n scores (``width`` bits
        each, valid in the clock ``load`` is high: the selector registers what it keeps);
        ``clocks`` counts the trial's clocks from its load (0); ``trial`` is the trial's index
        (as :meth:`draw` has it, still until the trial's result is taken).
        Returns ``(done, fields)``: ``done`` is high in the selector's last working clock of
        a trial (the result is offered from the next), ``fields`` the result's values."""
        raise NotImplementedError

    def elaborate(self, platform):
        m = Module()
        key, remaining, trial = Signal(32), Signal(32), Signal(32)
        drawn = self.draw(m, key, trial)
        load = Signal()  # the load clock of a trial
        clocks = Signal(self._clocks_shape)  # the layout holds every trial's clocks
        done, fields = self.select(m, drawn, load, clocks, trial)

        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.start & (self.count != 0)):
                    m.d.sync += [
                        key.eq(
                            arith.fmix32(m, self.seed, name="seed_hash")
                            + self.first * Const(primitives.WEYL, 32)
                        ),
                        remaining.eq(self.count),
                        trial.eq(self.first),
                        clocks.eq(0),
                    ]
                    m.next = "TRIAL"
            with m.State("TRIAL"):
                m.d.comb += [self.busy.eq(1), load.eq(clocks == 0)]
                m.d.sync += clocks.eq(clocks + 1)
                with m.If(done & (clocks != 0)):
                    m.next = "RESULT"
            with m.State("RESULT"):
                m.d.comb += [
                    self.busy.eq(1),
                    self.res.valid.eq(1),
                    *(getattr(self.res.payload, k).eq(v) for k, v in fields.items()),
                    self.res.payload.clocks.eq(clocks + 1),
                ]
                with m.If(self.res.ready):
                    m.d.sync += [
                        key.eq(key + primitives.WEYL),
                        remaining.eq(remaining - 1),
                        trial.eq(trial + 1),
                        clocks.eq(0),
                    ]
                    m.next = "TRIAL"
                    with m.If(remaining == 1):
                        m.next = "IDLE"
        return m


class ArgmaxEngine(ScoreEngine):
    """The comparator-tree arg-max's trial engine (:class:`ScoreEngine`): the scores go
    through a tournament of comparators with one register per round."""

    def __init__(self, cfg: ArgmaxConfig):
        if not isinstance(cfg, ArgmaxConfig):
            raise ValueError(f"The arg-max engine needs an ArgmaxConfig, not {cfg!r}")
        super().__init__(cfg, result_layout(cfg))

    def select(self, m, drawn, load, clocks, trial):
        cfg = self._cfg
        m.submodules.tree = tree = ArgMax(cfg.n, cfg.width, stages=cfg.rounds)
        for i, value in enumerate(drawn):
            score = Signal(cfg.width, name=f"score{i}")
            with m.If(load):
                m.d.sync += score.eq(value)
            m.d.comb += tree.i[i].eq(score)
        # loaded, then one clock per round: the tree's output describes the scores
        done = clocks == cfg.rounds
        return done, {"winner": tree.index, "max": tree.max}
