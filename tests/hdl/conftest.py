"""What the hardware tests share: driving a trial engine in Amaranth's simulator."""

import pytest
from amaranth.sim import Simulator


def run_trial_engine(dut, count, *, inputs=None, max_cycles, ready=lambda cycle: True, stats=None):
    """Start a run of ``count`` trials of a trial engine (ports start, seed, first, count, the
    ``inputs`` by name, busy, res) and take its results while ``ready(cycle)``; the payloads
    in order. Fails unless the engine is idle after the last. ``stats`` (a dict) receives
    ``cycles``: the cycle the last result was taken (0: the one after the start strobe)."""
    sim = Simulator(dut)
    sim.add_clock(1e-6)
    results = []

    async def bench(ctx):
        for name, value in (inputs or {}).items():
            ctx.set(getattr(dut, name), value)
        ctx.set(dut.count, count)
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        for cycle in range(max_cycles):
            ctx.set(dut.res.ready, ready(cycle))
            if ctx.get(dut.res.valid) and ready(cycle):
                results.append(ctx.get(dut.res.payload))
                if stats is not None:
                    stats["cycles"] = cycle
            await ctx.tick()
            if len(results) == count:
                break
        assert len(results) == count and not ctx.get(dut.busy)  # idle after the last result

    sim.add_testbench(bench)
    sim.run()
    return results


@pytest.fixture
def trial_engine():
    """:func:`run_trial_engine`."""
    return run_trial_engine
