"""Hardware of k-winners-take-all (``gaba.golden.kwta``): the bit-serial threshold search and
the comparator-tree top-k it is measured against, each as a trial engine.

:class:`KWinners` finds the k largest of n scores in ``width + 1`` clocks after the load,
whatever n: one clock per score bit, from the most significant, then the ties. Each score
sits in a shift register that offers its next bit; ``alive`` marks the scores whose bits so far
equal the threshold's prefix, ``above`` those already known to exceed it, ``a`` counts them.
In each bit's clock the alive scores with a 1 are counted (an adder tree) and::

    a + count >= k:  the threshold's bit is 1: alive &= bit
    otherwise:       the bit is 0: above |= alive & bit; a += count; alive &= ~bit

After the last bit ``alive`` marks the scores equal to the threshold T (the k-th largest) and
``above`` the a scores above it; the first k - a alive scores by index win too (an exclusive
prefix count of ``alive``, a Sklansky network: log2 n levels of adders, in the result's
clock). The loop's clock is the adder tree's depth, log2 n adders; the latency in clocks is
flat.

:class:`TreeTopK` is the comparator tree's way: k tournaments of the pipelined arg-max
(``gaba.hdl.tree.ArgMax``, one register per round), each taking the largest score not yet
taken (lowest index first): k * (ceil(log2 n) + 1) clocks after the load.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Signal, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from gaba.golden.kwta import KwtaConfig, serial_clocks, tree_clocks
from gaba.hdl.argmax import ScoreEngine
from gaba.hdl.tree import AdderTree, ArgMax, prefix_counts

__all__ = [
    "KWinners",
    "KwtaEngine",
    "Selector",
    "TreeTopK",
    "TreeTopKEngine",
    "result_layout",
]


def result_layout(cfg: KwtaConfig) -> data.StructLayout:
    """One trial's result: the winners' mask (bit i: score i won), the threshold (the k-th
    largest score), the clocks from load to result (wide enough for either circuit's)."""
    clocks = max(serial_clocks(cfg), tree_clocks(cfg)).bit_length()
    return data.StructLayout(
        {"mask": unsigned(cfg.n), "threshold": unsigned(cfg.width), "clocks": unsigned(clocks)}
    )


class Selector(wiring.Component):
    """What both k-WTA circuits offer.

    Members
    -------
    load : In(1)
        Take ``i`` and start a selection (it runs in the clocks after).
    i : In(width).array(n)
        The scores.
    done : Out(1)
        The selection's last clock (the outputs hold from the next clock to the next load).
    mask : Out(n)
        Bit i: score i is among the k largest, ties to the lowest index.
    threshold : Out(width)
        The k-th largest score.
    """

    def __init__(self, cfg: KwtaConfig):
        if not isinstance(cfg, KwtaConfig):
            raise ValueError(f"A k-WTA circuit needs a KwtaConfig, not {cfg!r}")
        self._cfg = cfg
        super().__init__(
            {
                "load": In(1),
                "i": In(unsigned(cfg.width)).array(cfg.n),
                "done": Out(1),
                "mask": Out(cfg.n),
                "threshold": Out(cfg.width),
            }
        )


class KWinners(Selector):
    """The k largest of n scores by a bit-serial threshold search (module docstring): the
    search runs in the ``width`` clocks after the load."""

    def elaborate(self, platform):
        cfg = self._cfg
        n, k, width = cfg.n, cfg.k, cfg.width
        m = Module()
        x = [Signal(width, name=f"x{i}") for i in range(n)]  # shifted left a bit a clock
        alive, above = Signal(n), Signal(n)
        a = Signal(range(n + 1))
        t = Signal(width)
        bit = Signal(range(width + 1))  # bits searched
        m.submodules.count = count = AdderTree(n, 1)
        msb = Cat(*(v[width - 1] for v in x))
        hit = alive & msb
        m.d.comb += [count.i[i].eq(hit[i]) for i in range(n)]
        take = a + count.o >= k
        stepping = bit != width
        m.d.comb += self.done.eq(bit == width - 1)
        with m.If(self.load):
            m.d.sync += [
                *(v.eq(s) for v, s in zip(x, self.i, strict=True)),
                alive.eq(-1),
                above.eq(0),
                a.eq(0),
                t.eq(0),
                bit.eq(0),
            ]
        with m.Elif(stepping):
            m.d.sync += [*(v.eq(v << 1) for v in x), bit.eq(bit + 1), t.eq(Cat(take, t))]
            with m.If(take):
                m.d.sync += alive.eq(hit)
            with m.Else():
                m.d.sync += [above.eq(above | hit), a.eq(a + count.o), alive.eq(alive & ~msb)]
        # the ties: the first k - a alive scores by index
        ties = k - a
        before = prefix_counts(m, [alive[i] for i in range(n)], "alive_before")
        wins = Cat(*(alive[i] & (before[i] < ties) for i in range(n)))
        m.d.comb += [self.mask.eq(above | wins), self.threshold.eq(t)]
        return m


class TreeTopK(Selector):
    """The k largest of n scores by k tournaments of the pipelined arg-max tree (module
    docstring)."""

    def elaborate(self, platform):
        cfg = self._cfg
        n, k, width, rounds = cfg.n, cfg.k, cfg.width, cfg.rounds
        m = Module()
        # each score with a valid bit above it: a taken one can only win once all are taken
        m.submodules.tree = tree = ArgMax(n, width + 1, stages=rounds)
        x = [Signal(width, name=f"x{i}") for i in range(n)]
        taken = Signal(n)
        m.d.comb += [tree.i[i].eq(Cat(x[i], ~taken[i])) for i in range(n)]
        phase = Signal(range(rounds + 1))  # clocks into the tournament
        won = Signal(range(k + 1))  # winners taken
        last = Signal(width)
        take = (phase == rounds) & (won != k)
        m.d.comb += self.done.eq(take & (won == k - 1))
        with m.If(self.load):
            m.d.sync += [
                *(v.eq(s) for v, s in zip(x, self.i, strict=True)),
                taken.eq(0),
                phase.eq(0),
                won.eq(0),
            ]
        with m.Elif(take):
            m.d.sync += [
                taken.eq(taken | (Const(1, n) << tree.index)[:n]),
                last.eq(tree.max[:width]),
                won.eq(won + 1),
                phase.eq(0),
            ]
        with m.Elif(won != k):
            m.d.sync += phase.eq(phase + 1)
        m.d.comb += [self.mask.eq(taken), self.threshold.eq(last)]
        return m


class _SelectorEngine(ScoreEngine):
    selector: type

    def __init__(self, cfg: KwtaConfig):
        if not isinstance(cfg, KwtaConfig):
            raise ValueError(f"A k-WTA engine needs a KwtaConfig, not {cfg!r}")
        super().__init__(cfg, result_layout(cfg))

    def select(self, m, drawn, load, clocks, trial):
        m.submodules.select = sel = self.selector(self._cfg)
        m.d.comb += [sel.load.eq(load), *(sel.i[i].eq(v) for i, v in enumerate(drawn))]
        return sel.done, {"mask": sel.mask, "threshold": sel.threshold}


class KwtaEngine(_SelectorEngine):
    """The bit-serial k-WTA's trial engine (``gaba.hdl.argmax.ScoreEngine``)."""

    selector = KWinners


class TreeTopKEngine(_SelectorEngine):
    """The comparator-tree top-k's trial engine (``gaba.hdl.argmax.ScoreEngine``)."""

    selector = TreeTopK
