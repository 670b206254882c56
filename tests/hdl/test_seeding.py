# amaranth: UnusedElaboratable=no
"""gaba.hdl.seeding.SerialHash against gaba.golden.primitives, and the serially seeded TrialEngine
against gaba.golden.fixed.run_trials (the board tops use it)."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from gaba.golden import fixed, primitives
from gaba.golden.config import Config
from gaba.hdl.engine import TrialEngine, result_layout
from gaba.hdl.nwta import prime_clocks, winner_clocks
from gaba.hdl.seeding import FMIX_CYCLES, MUL_CYCLES, OP_FMIX32, OP_MUL_WEYL, SerialHash

FAST = dict(dt=2.0**-4, horizon=30.0)


def _hash_all(ops):
    """Run (op, value) pairs through a SerialHash; return (result, cycles) per pair."""
    dut = SerialHash()
    out = []

    async def bench(ctx):
        for op, value in ops:
            ctx.set(dut.op, op)
            ctx.set(dut.i, value)
            ctx.set(dut.start, 1)
            await ctx.tick()
            ctx.set(dut.start, 0)
            ctx.set(dut.i, value ^ 0xFFFFFFFF)  # taken at start: later changes do nothing
            cycles = 1
            while not ctx.get(dut.done):
                await ctx.tick()
                cycles += 1
            out.append((ctx.get(dut.o), cycles))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return out


def test_serial_hash_matches_golden():
    rng = np.random.default_rng(7)
    values = [0, 1, 0xFFFFFFFF, 0x80000000, *rng.integers(0, 2**32, 6).tolist()]
    ops = [(OP_FMIX32, v) for v in values] + [(OP_MUL_WEYL, v) for v in values]
    got = _hash_all(ops)
    for (op, v), (o, cycles) in zip(ops, got, strict=True):
        if op == OP_FMIX32:
            assert o == primitives.fmix32(v) and cycles == FMIX_CYCLES, hex(v)
        else:
            assert o == (v * primitives.WEYL) & primitives.MASK32 and cycles == MUL_CYCLES, hex(v)


def _run_serial(cfg, seed, first, count, *, top=None, delta_in=None, max_cycles=20000):
    dut = TrialEngine(cfg, seeding="serial")
    log = {"results": [], "accepted_at": []}

    async def bench(ctx):
        ctx.set(dut.seed, seed)
        ctx.set(dut.first, first)
        ctx.set(dut.count, count)
        if top is not None:
            ctx.set(dut.top_en, 1)
            ctx.set(dut.top_in, top)
        if delta_in is not None:
            ctx.set(dut.delta_en, 1)
            ctx.set(dut.delta_in, delta_in)
        ctx.set(dut.res.ready, 1)
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        ctx.set(dut.seed, seed ^ 1)  # latched at start
        ctx.set(dut.first, first + 1)
        for cycle in range(max_cycles):
            if ctx.get(dut.res.valid):
                log["results"].append(ctx.get(dut.res.payload.as_value()))
                log["accepted_at"].append(cycle)
            if not ctx.get(dut.busy):
                return
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return log


@pytest.mark.parametrize(
    "n,seed,first,top,delta_in",
    [(3, 11, 0, None, None), (4, 5, 7, 2, 300), (5, 1, 2**32 - 2, None, None)],
)
def test_serial_engine_is_bit_exact(n, seed, first, top, delta_in):
    cfg = Config.paper(n=n, **FAST)
    count = 3
    log = _run_serial(cfg, seed, first, count, top=top, delta_in=delta_in)
    gcfg = cfg if delta_in is None else cfg.replace(delta=delta_in / 2**cfg.frac_bits)
    golden = fixed.run_trials(
        gcfg, count, seed, first_trial=first, top=None if top is None else [top] * count
    )
    assert len(log["results"]) == count
    for j, word in enumerate(log["results"]):
        hw = result_layout(cfg).from_bits(word)
        assert hw.top == golden.top[j] and hw.steps == golden.steps[j]
        assert hw.decided == golden.decided[j] and hw.digest == golden.state_hash[j]
        assert hw.winner == golden.winner[j] or not golden.decided[j]
    # the cycle budget: run start, then per trial the two hashes, load, priming, steps,
    # the arg-max's pipeline, decision
    t = MUL_CYCLES + FMIX_CYCLES + 1  # the cycle after the start strobe is cycle 0
    for j, at in enumerate(log["accepted_at"]):
        t += 2 * (FMIX_CYCLES + 1) + 1 + prime_clocks(cfg.step_clocks) + int(golden.steps[j])
        t += winner_clocks(cfg) + 1
        assert at == t
        t += 1


def test_seeding_must_be_known():
    with pytest.raises(ValueError, match="Seeding must be one of parallel, serial, not 'fast'"):
        TrialEngine(Config.paper(n=2), seeding="fast")
