# amaranth: UnusedElaboratable=no
"""gaba.hdl.tree: the adder tree (combinational and pipelined) and the arg-max, simulated."""

import itertools
import re
from collections import deque

import numpy as np
import pytest
from amaranth.hdl import unsigned
from amaranth.sim import Simulator

from gaba.hdl.tree import AdderTree, ArgMax


def _run(dut, bench, *, clock: bool):
    sim = Simulator(dut)
    if clock:
        sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()


def _set_inputs(ctx, dut, values):
    for port, v in zip(dut.i, values, strict=True):
        ctx.set(port, int(v))


# -- AdderTree: combinational ----------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16])
@pytest.mark.parametrize("width", [1, 5, 14])
def test_adder_tree_comb_sum_is_exact(n, width):
    dut = AdderTree(n, width)
    assert dut.o.shape() == unsigned(width + (n - 1).bit_length())
    top = (1 << width) - 1
    rng = np.random.default_rng(n * 100 + width)
    vectors = [[0] * n, [top] * n, [top if k % 2 else 0 for k in range(n)]]
    vectors += rng.integers(0, top + 1, (100, n)).tolist()
    got = []

    async def bench(ctx):
        for v in vectors:
            _set_inputs(ctx, dut, v)
            got.append(ctx.get(dut.o))

    _run(dut, bench, clock=False)
    assert got == [sum(v) for v in vectors]


# -- AdderTree: pipelined --------------------------------------------------------------------


class PipeModel:
    """'o is the sum of the inputs as they were ``stages`` enabled cycles ago'; clr empties."""

    def __init__(self, stages):
        self.q = deque([0] * stages, maxlen=stages)

    def clock(self, total, en, clr):
        if clr:
            self.q.extend([0] * self.q.maxlen)
        elif en:
            self.q.append(total)

    @property
    def o(self):
        return self.q[0]


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16])
@pytest.mark.parametrize("stages", [1, 2, 5])
def test_adder_tree_pipeline_random_en_and_clr(n, stages):
    width = 6
    dut = AdderTree(n, width, stages=stages)
    assert dut.stages == stages and dut.n == n
    rng = np.random.default_rng(1000 * n + stages)
    cycles = 300
    inputs = rng.integers(0, 1 << width, (cycles, n)).tolist()
    en = (rng.random(cycles) < 0.75).tolist()
    clr = (rng.random(cycles) < 0.04).tolist()
    clr[5] = True
    en[5] = True  # clr takes priority over en
    got = []

    async def bench(ctx):
        assert ctx.get(dut.o) == 0  # registers start at zero
        for k in range(cycles):
            _set_inputs(ctx, dut, inputs[k])
            ctx.set(dut.en, en[k])
            ctx.set(dut.clr, clr[k])
            await ctx.tick()
            got.append(ctx.get(dut.o))

    _run(dut, bench, clock=True)
    model = PipeModel(stages)
    want = []
    for k in range(cycles):
        model.clock(sum(inputs[k]), en[k], clr[k])
        want.append(model.o)
    assert got == want
    assert len(set(want)) > 10  # the sums do move through the pipeline


@pytest.mark.parametrize(("n", "stages"), [(7, 1), (7, 2), (16, 5), (1, 2)])
def test_adder_tree_latency_freeze_and_clear(n, stages):
    width = 8
    dut = AdderTree(n, width, stages=stages)
    rng = np.random.default_rng(stages)
    inputs = rng.integers(1, 1 << width, (40, n)).tolist()
    log = {}

    async def bench(ctx):
        ctx.set(dut.en, 1)
        outs = []
        for k in range(12):  # a filled pipeline: output k is the input k - stages + 1
            _set_inputs(ctx, dut, inputs[k])
            await ctx.tick()
            outs.append(ctx.get(dut.o))
        log["latency"] = outs
        # en low: nothing moves, whatever the inputs do
        ctx.set(dut.en, 0)
        held = ctx.get(dut.o)
        frozen = []
        for k in range(12, 20):
            _set_inputs(ctx, dut, inputs[k])
            await ctx.tick()
            frozen.append(ctx.get(dut.o))
        log["held"], log["frozen"] = held, frozen
        # en high again: the stored sums come out in order, then the new ones
        ctx.set(dut.en, 1)
        resumed = []
        for k in range(20, 20 + stages):
            _set_inputs(ctx, dut, inputs[k])
            await ctx.tick()
            resumed.append(ctx.get(dut.o))
        log["resumed"] = resumed
        # clr (with en high): zeros for the next `stages` outputs, then the first new sum
        ctx.set(dut.clr, 1)
        _set_inputs(ctx, dut, inputs[30])
        await ctx.tick()
        cleared = [ctx.get(dut.o)]
        ctx.set(dut.clr, 0)
        for k in range(31, 31 + stages):
            _set_inputs(ctx, dut, inputs[k])
            await ctx.tick()
            cleared.append(ctx.get(dut.o))
        log["cleared"] = cleared

    _run(dut, bench, clock=True)
    sums = [sum(v) for v in inputs]
    assert log["latency"] == [sums[k - stages + 1] if k >= stages - 1 else 0 for k in range(12)]
    assert log["held"] == sums[12 - stages] and log["frozen"] == [log["held"]] * 8
    # the sums stored before the freeze come out in order, then the first new one
    assert log["resumed"] == sums[12 - stages + 1 : 12] + [sums[20]]
    assert log["cleared"] == [0] * stages + [sums[31]]


def test_adder_tree_stages_zero_is_combinational():
    dut = AdderTree(3, 4, stages=0)
    got = []

    async def bench(ctx):
        ctx.set(dut.en, 0)
        ctx.set(dut.clr, 1)  # no registers: en and clr do nothing
        _set_inputs(ctx, dut, [15, 15, 15])
        got.append(ctx.get(dut.o))
        await ctx.delay(1e-6)
        _set_inputs(ctx, dut, [1, 2, 3])
        got.append(ctx.get(dut.o))

    _run(dut, bench, clock=False)
    assert got == [45, 6]


# -- ArgMax ----------------------------------------------------------------------------------


def _argmax_run(n, width, vectors):
    dut = ArgMax(n, width)
    got = []

    async def bench(ctx):
        for v in vectors:
            _set_inputs(ctx, dut, v)
            got.append((ctx.get(dut.max), ctx.get(dut.index)))

    _run(dut, bench, clock=False)
    # golden: np.argmax returns the first (lowest) index of the maximum (fixed.decision)
    want = [(int(np.max(v)), int(np.argmax(v))) for v in vectors]
    return got, want


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_argmax_lowest_index_on_ties(n):
    width = 4
    top = (1 << width) - 1
    rng = np.random.default_rng(n)
    vectors = [[0] * n, [top] * n, [7] * n]
    for hi in range(n):  # the maximum at hi and at every later index
        for lo in range(hi + 1):
            v = [3] * n
            v[lo] = v[hi] = 9
            vectors.append(v)
            vectors.append(v[::-1])
    # two values only: many ties at the maximum
    vectors += rng.integers(0, 2, (100, n)).tolist()
    vectors += rng.integers(0, top + 1, (200, n)).tolist()
    got, want = _argmax_run(n, width, vectors)
    assert got == want
    if n > 1:
        assert any(np.sum(np.array(v) == max(v)) > 1 for v in vectors)


@pytest.mark.parametrize(("n", "width"), [(2, 2), (3, 3), (5, 2)])
def test_argmax_exhaustive_small(n, width):
    vectors = [list(v) for v in itertools.product(range(1 << width), repeat=n)]
    got, want = _argmax_run(n, width, vectors)
    assert got == want


@pytest.mark.parametrize(("n", "stages"), [(2, 1), (5, 2), (9, 3), (16, 6), (1, 2)])
def test_argmax_pipelined_lags_by_stages(n, stages):
    """'max and index describe the inputs as they were ``stages`` cycles ago'."""
    width = 4
    rng = np.random.default_rng(100 * n + stages)
    vectors = rng.integers(0, 1 << width, (40, n)).tolist()
    vectors += rng.integers(0, 2, (20, n)).tolist()  # ties at the maximum
    dut = ArgMax(n, width, stages=stages)
    got = []

    async def bench(ctx):
        for v in vectors:
            _set_inputs(ctx, dut, v)
            await ctx.tick()
            got.append((ctx.get(dut.max), ctx.get(dut.index)))

    _run(dut, bench, clock=True)
    want = [(int(np.max(v)), int(np.argmax(v))) for v in vectors]
    # the output after tick k shows the inputs set before tick k - stages + 1
    assert got[stages - 1 :] == want[: len(want) - stages + 1]
    assert got[: stages - 1] == [(0, 0)] * (stages - 1)  # the registers' reset values


# -- parameter validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: AdderTree(0, 8), "Input count must be a positive integer, not 0"),
        (lambda: AdderTree(True, 8), "Input count must be a positive integer, not True"),
        (lambda: AdderTree(2.0, 8), "Input count must be a positive integer, not 2.0"),
        (lambda: AdderTree(3, 0), "Input width must be a positive integer, not 0"),
        (lambda: AdderTree(3, "8"), "Input width must be a positive integer, not '8'"),
        (lambda: AdderTree(3, 8, stages=-1), "Stage count must be a non-negative integer, not -1"),
        (
            lambda: AdderTree(3, 8, stages=True),
            "Stage count must be a non-negative integer, not True",
        ),
        (lambda: ArgMax(0, 4), "Input count must be a positive integer, not 0"),
        (lambda: ArgMax(4, -1), "Input width must be a positive integer, not -1"),
        (lambda: ArgMax(4, False), "Input width must be a positive integer, not False"),
        (lambda: ArgMax(4, 4, stages=-2), "Stage count must be a non-negative integer, not -2"),
    ],
)
def test_parameter_validation(make, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make()
