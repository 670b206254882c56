"""Formal: both k-WTA circuits (gaba.hdl.kwta.KWinners, TreeTopK) select exactly the k largest
scores, ties to the lowest index, and their threshold is the k-th largest, for any scores.

The harness's ports are the circuit's: ``load`` and the n scores, free in every clock. It
keeps the scores of the last load and, in the clock after the circuit's ``done`` with no load
since, asserts Maass's definition bit by bit (b_i = [#{j: x_j > x_i} + #{j < i: x_j = x_i}
< k], the counts made in the harness) and that the threshold T is the k-th largest
(#{x_j > T} < k <= #{x_j >= T}). Each search starts from a load that sets every register the
circuit reads, so a bound of one search after a load (the circuit's clocks and two) covers
every search: every score vector, every k, n of the cases. The companion holds a circuit to
the definition of another k.
"""

import pytest
from amaranth.hdl import Assert, Assume, Module, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from gaba.golden.kwta import KwtaConfig, serial_clocks, tree_clocks
from gaba.hdl.kwta import KWinners, TreeTopK
from gaba.sim.formal import prove


class KwtaHarness(wiring.Component):
    """The circuit's ``load`` and scores (``scores``: the n of them side by side) as ports."""

    def __init__(self, circuit: wiring.Component, k: int):
        self.circuit, self.k = circuit, k
        n, width = len(circuit.mask), len(circuit.threshold)
        super().__init__({"load": In(1), "scores": In(n * width)})

    def elaborate(self, platform):
        m = Module()
        m.submodules.dut = dut = self.circuit
        m.d.comb += Assume(~ResetSignal())
        n, width = len(dut.mask), len(dut.threshold)
        given = [self.scores[width * i : width * (i + 1)] for i in range(n)]
        m.d.comb += [dut.load.eq(self.load), *(dut.i[i].eq(v) for i, v in enumerate(given))]
        x = [Signal(width, name=f"x{i}") for i in range(n)]
        with m.If(self.load):
            m.d.sync += [v.eq(s) for v, s in zip(x, given, strict=True)]
        loaded = Signal()  # a load came and no other since; the result follows its done
        after_done = Signal()
        m.d.sync += after_done.eq(dut.done & loaded & ~self.load)
        with m.If(self.load):
            m.d.sync += loaded.eq(1)
        with m.If(after_done & ~self.load):
            for i in range(n):
                beaten = [x[j] > x[i] for j in range(n)] + [x[j] == x[i] for j in range(i)]
                m.d.comb += Assert(dut.mask[i] == (sum(beaten) < self.k))
            t = dut.threshold
            m.d.comb += [
                Assert(sum(v > t for v in x) < self.k),
                Assert(sum(v >= t for v in x) >= self.k),
            ]
        return m


# the default run proves each circuit at n = 5 (the companions' size) and the serial one at
# k = n; the larger n of each, with -m formal (slow tier)
CASES = [
    ("serial", 5, 2, 3),
    pytest.param("serial", 7, 3, 2, marks=pytest.mark.slow),
    ("serial", 4, 4, 4),
    ("tree", 5, 2, 3),
    pytest.param("tree", 6, 4, 2, marks=pytest.mark.slow),
]
CIRCUITS = {"serial": (KWinners, serial_clocks), "tree": (TreeTopK, tree_clocks)}


@pytest.mark.parametrize(("kind", "n", "k", "width"), CASES)
def test_the_k_largest_are_selected_for_any_scores(kind, n, k, width):
    circuit, clocks = CIRCUITS[kind]
    cfg = KwtaConfig.paper(n=n, k=k, width=width)
    name = f"kwta-{kind}-n{n}-k{k}-w{width}"
    result = prove(KwtaHarness(circuit(cfg), k), name, depth=clocks(cfg) + 2, mode="bmc")
    assert result.passed, result.describe()


@pytest.mark.parametrize("kind", CIRCUITS)
def test_a_circuit_held_to_another_k_fails_the_proof(kind):
    circuit, clocks = CIRCUITS[kind]
    cfg = KwtaConfig.paper(n=5, k=2, width=3)
    harness = KwtaHarness(circuit(cfg), 3)
    result = prove(harness, f"kwta-{kind}-other-k", depth=clocks(cfg) + 2, mode="bmc")
    assert result.status == "FAIL", result.describe()
