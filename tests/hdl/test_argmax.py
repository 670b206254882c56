# amaranth: UnusedElaboratable=no
"""The comparator-tree arg-max engine in Amaranth's simulator, against the golden model."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from gaba.golden.argmax import ArgmaxConfig, argmax_clocks, winners
from gaba.hdl.argmax import ArgmaxEngine


def run(cfg, count, seed, first=0, ready=lambda k: True):
    """Results (winner, max, clocks) of ``count`` trials; ``ready(cycle)`` backpressure."""
    dut = ArgmaxEngine(cfg)
    sim = Simulator(dut)
    sim.add_clock(1e-6)
    results = []

    async def bench(ctx):
        ctx.set(dut.seed, seed)
        ctx.set(dut.first, first)
        ctx.set(dut.count, count)
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        for cycle in range(count * 4 * argmax_clocks(cfg) + 10):
            ctx.set(dut.res.ready, ready(cycle))
            if ctx.get(dut.res.valid) and ready(cycle):
                p = ctx.get(dut.res.payload)
                results.append((p.winner, p.max, p.clocks))
            await ctx.tick()
            if len(results) == count:
                break
        assert not ctx.get(dut.busy)  # idle after the last result

    sim.add_testbench(bench)
    sim.run()
    return results


@pytest.mark.parametrize(("n", "width"), [(2, 1), (5, 3), (16, 2), (33, 4)])
def test_engine_is_the_golden_model(n, width):
    cfg = ArgmaxConfig.paper(n=n, width=width)
    got = np.array(run(cfg, 12, seed=4, first=3))
    w, best = winners(cfg, 12, seed=4, first=3)
    assert np.array_equal(got[:, 0], w) and np.array_equal(got[:, 1], best)
    assert (got[:, 2] == argmax_clocks(cfg)).all()


def test_backpressure_loses_no_result():
    cfg = ArgmaxConfig.paper(n=9, width=2)
    got = np.array(run(cfg, 10, seed=2, ready=lambda k: k % 3 == 0))
    assert np.array_equal(got[:, 0], winners(cfg, 10, seed=2)[0])


def test_a_perturbed_golden_model_is_caught():
    # companion: the engine's winners differ from a golden model of other scores
    cfg = ArgmaxConfig.paper(n=16, width=3)
    got = np.array(run(cfg, 12, seed=4))
    assert not np.array_equal(got[:, 0], winners(cfg, 12, seed=5)[0])
    assert not np.array_equal(got[:, 1], winners(cfg.replace(width=4), 12, seed=4)[1])
