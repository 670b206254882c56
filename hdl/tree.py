"""Reduction trees: the global inhibition sum and the winner's arg-max."""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, Value, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["AdderTree", "ArgMax", "prefix_counts"]


def _check(n, width):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"Input count must be a positive integer, not {n!r}")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"Input width must be a positive integer, not {width!r}")


class AdderTree(wiring.Component):
    """Exact sum of ``n`` unsigned inputs, optionally pipelined.

    Parameters
    ----------
    n : int
        Number of inputs.
    width : int
        Width of each input.
    stages : int
        Register stages: ``o`` is the sum of the inputs as they were ``stages`` enabled cycles
        ago (0: combinational). Registers sit between the tree's levels, spread evenly; stages
        beyond the tree's depth are added at the output.

    Members
    -------
    i : In(width).array(n)
        The addends.
    o : Out(width + ceil(log2 n))
        Their sum; wide enough that it never wraps.
    en : In(1)
        Pipeline registers advance in cycles where ``en`` is high.
    clr : In(1)
        Synchronously clears every pipeline register (the sum of ``stages`` cycles of zeros);
        takes priority over ``en``.
    """

    def __init__(self, n: int, width: int, stages: int = 0):
        _check(n, width)
        if isinstance(stages, bool) or not isinstance(stages, int) or stages < 0:
            raise ValueError(f"Stage count must be a non-negative integer, not {stages!r}")
        self._n, self._width, self._stages = n, width, stages
        self._depth = (n - 1).bit_length()
        super().__init__(
            {
                "i": In(unsigned(width)).array(n),
                "o": Out(unsigned(width + self._depth)),
                "en": In(1),
                "clr": In(1),
            }
        )

    @property
    def n(self):
        return self._n

    @property
    def stages(self):
        return self._stages

    def elaborate(self, platform):
        # A balanced binary tree, level by level. With k stages on a tree of depth D, a
        # register bank follows level ceil((j+1)*D/k) for j < min(k, D), so the slowest path
        # is about D/k adders; stages beyond D become plain output registers.
        m = Module()
        level = list(self.i)
        in_tree = min(self._stages, self._depth)
        after = {-(-(j + 1) * self._depth // in_tree) for j in range(in_tree)} if in_tree else set()
        for depth in range(1, self._depth + 1):
            nxt = []
            for k in range(0, len(level), 2):
                nxt.append(level[k] + level[k + 1] if k + 1 < len(level) else level[k])
            level = nxt
            if depth in after:
                level = [self._register(m, v, f"sum_l{depth}_{k}") for k, v in enumerate(level)]
        (total,) = level
        for extra in range(self._stages - in_tree):
            total = self._register(m, total, f"sum_out{extra}")
        m.d.comb += self.o.eq(total)
        return m

    def _register(self, m, value, name):
        reg = Signal(value.shape(), name=name)
        with m.If(self.clr):
            m.d.sync += reg.eq(0)
        with m.Elif(self.en):
            m.d.sync += reg.eq(value)
        return reg


class ArgMax(wiring.Component):
    """Largest of ``n`` unsigned inputs and the lowest index holding it.

    Parameters
    ----------
    n, width : int
        Number and width of the inputs.
    stages : int
        Register stages, free-running: ``max`` and ``index`` describe the inputs as they were
        ``stages`` cycles ago (0: combinational). Registers sit between the tournament's
        rounds, spread evenly; stages beyond its depth are added at the output.

    Members
    -------
    i : In(width).array(n)
        The values.
    max : Out(width)
        The largest value.
    index : Out(range(n))
        The lowest index whose value equals ``max``.
    """

    def __init__(self, n: int, width: int, stages: int = 0):
        _check(n, width)
        if isinstance(stages, bool) or not isinstance(stages, int) or stages < 0:
            raise ValueError(f"Stage count must be a non-negative integer, not {stages!r}")
        self._n, self._stages = n, stages
        super().__init__(
            {
                "i": In(unsigned(width)).array(n),
                "max": Out(unsigned(width)),
                "index": Out(range(max(n, 2))),
            }
        )

    def elaborate(self, platform):
        # Pairwise tournament; the left contender (lower indices) wins ties, so the lowest
        # index holding the maximum survives. Each match's result is a named signal: nested
        # expressions would be repeated at every use, making the Verilog quadratic in n.
        m = Module()
        rounds = (self._n - 1).bit_length()
        in_tree = min(self._stages, rounds)
        after = {-(-(j + 1) * rounds // in_tree) for j in range(in_tree)} if in_tree else set()

        def register(value, name, shape):
            reg = Signal(shape, name=name)
            m.d.sync += reg.eq(value)
            return reg

        level = [(v, i) for i, v in enumerate(self.i)]
        for depth in range(1, rounds + 1):
            nxt = []
            for k in range(0, len(level), 2):
                if k + 1 == len(level):
                    nxt.append(level[k])
                    continue
                (va, ia), (vb, ib) = level[k], level[k + 1]
                right = vb > va
                v = Signal(self.max.shape(), name=f"max_l{depth}_{k // 2}")
                i = Signal(self.index.shape(), name=f"index_l{depth}_{k // 2}")
                m.d.comb += [v.eq(Mux(right, vb, va)), i.eq(Mux(right, ib, ia))]
                nxt.append((v, i))
            level = nxt
            if depth in after:
                level = [
                    (
                        register(v, f"max_r{depth}_{k}", self.max.shape()),
                        register(i, f"index_r{depth}_{k}", self.index.shape()),
                    )
                    for k, (v, i) in enumerate(level)
                ]
        ((value, index),) = level
        for extra in range(self._stages - in_tree):
            value = register(value, f"max_out{extra}", self.max.shape())
            index = register(index, f"index_out{extra}", self.index.shape())
        m.d.comb += [self.max.eq(value), self.index.eq(index)]
        return m


def prefix_counts(m: Module, bits: list, name: str) -> list[Value]:
    """For each i, how many of ``bits[0 .. i-1]`` are 1: a Sklansky prefix network built into
    ``m`` (ceil(log2 n) levels of adders, each sum a named signal ``{name}_l{level}_{i}`` of the
    width its count needs)."""
    n = len(bits)
    sums = [Value.cast(b) for b in bits]  # inclusive: bits[0 .. i]
    span, level = 1, 0
    while span < n:
        level += 1
        nxt = list(sums)
        for i in range(n):
            if i & span:  # in the upper half of its block of 2 * span: add the lower half's
                low = (i // (2 * span)) * 2 * span + span - 1
                total = Signal(range(i + 2), name=f"{name}_l{level}_{i}")
                m.d.comb += total.eq(sums[i] + sums[low])
                nxt[i] = total
        sums, span = nxt, 2 * span
    return [Const(0, 1), *sums[:-1]]
