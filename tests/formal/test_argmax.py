"""Formal: the comparator tree (gaba.hdl.tree.ArgMax) outputs the maximum of its inputs and
the lowest index holding it, ``stages`` clocks later, for every input sequence (k-induction).

The harness keeps the inputs of the last ``stages`` clocks in its own registers (Amaranth 0.5
has no Past) and asserts, once that many clocks have passed since reset, that ``max`` is at
least every delayed input, equals the input at ``index``, and that no lower index holds it.
The companion wires the tree's inputs in reverse (ties then go to the highest index): the
property fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from amaranth.hdl import Assert, Assume, Module, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from gaba.hdl.tree import ArgMax
from gaba.sim.formal import prove


class TreeHarness(wiring.Component):
    """The tree's inputs are the harness's ports: free, any value in every clock."""

    def __init__(self, n: int, width: int, stages: int, *, reversed_inputs: bool = False):
        self.n, self.width, self.stages, self.rev = n, width, stages, reversed_inputs
        super().__init__({"x": In(width).array(n)})

    def elaborate(self, platform):
        m = Module()
        n, w, stages = self.n, self.width, self.stages
        m.submodules.tree = tree = ArgMax(n, w, stages=stages)
        m.d.comb += Assume(~ResetSignal())
        x = list(self.x)
        for i in range(n):
            m.d.comb += tree.i[n - 1 - i if self.rev else i].eq(x[i])
        index = (n - 1 - tree.index) if self.rev else tree.index
        # the inputs `stages` clocks ago, and whether that many clocks have passed
        delayed = x
        for k in range(stages):
            held = [Signal(w, name=f"x{i}_d{k + 1}") for i in range(n)]
            m.d.sync += [h.eq(v) for h, v in zip(held, delayed, strict=True)]
            delayed = held
        age = Signal(range(stages + 1))
        with m.If(age < stages):
            m.d.sync += age.eq(age + 1)
        with m.If(age == stages):
            for i, v in enumerate(delayed):
                m.d.comb += Assert(v <= tree.max)
                with m.If(index == i):
                    m.d.comb += Assert(v == tree.max)
                with m.If(i < index):
                    m.d.comb += Assert(v != tree.max)  # TIE_LINE: the lowest index
        return m


TIE_LINE = next(
    k for k, line in enumerate(Path(__file__).read_text().splitlines(), 1) if "# TIE_LINE" in line
)
CASES = [
    (2, 4, 0),
    (5, 4, 0),
    (8, 6, 1),
    pytest.param(7, 5, 2, marks=pytest.mark.slow),  # -m formal runs these too
    pytest.param(16, 8, 4, marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("n", "width", "stages"), CASES, ids=lambda v: str(v))
def test_argmax_tree_is_proven(n, width, stages):
    result = prove(
        TreeHarness(n, width, stages), f"argmax-n{n}-w{width}-s{stages}", depth=stages + 2
    )
    assert result.passed, result.describe()


def test_a_tree_wired_in_reverse_fails_the_proof():
    result = prove(TreeHarness(5, 3, 1, reversed_inputs=True), "argmax-reversed", depth=3)
    assert result.status == "FAIL", result.describe()
    # at the first clock with a tie it can see: no lower index may hold the maximum
    assert result.failed_step == 1 and result.failed_assert.endswith(f"test_argmax.py:{TIE_LINE}")
