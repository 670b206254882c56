# amaranth: UnusedElaboratable=no
"""gaba.hdl.seeding.SerialHash against gaba.golden.primitives, and the serially seeded TrialEngine
against gaba.golden.fixed.run_trials (the board tops use it)."""

import numpy as np
import pytest

from gaba.golden import fixed, primitives
from gaba.golden.config import Config
from gaba.hdl.engine import TrialEngine, result_layout
from gaba.hdl.nwta import prime_clocks, winner_clocks
from gaba.hdl.seeding import FMIX_CYCLES, MUL_CYCLES, OP_FMIX32, OP_MUL_WEYL, SerialHash
from tests.simulate import simulate

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

    simulate(dut, bench)
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


def _run_serial(cfg, seed, first, count, *, top=None, delta_in=None, stride=1, max_cycles=20000):
    dut = TrialEngine(cfg, seeding="serial", stride=stride)
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

    simulate(dut, bench)
    return log


@pytest.mark.parametrize(
    "n,seed,first,top,delta_in,horizon,stride",
    [
        (3, 11, 0, None, None, 30.0, 1),
        (4, 5, 7, 2, 300, 30.0, 1),
        (5, 1, 2**32 - 2, None, None, 30.0, 3),
        # trials shorter than the next trial's hashes: the engine waits for them
        (3, 9, 4, None, None, 3.0, 2),
    ],
)
def test_serial_engine_is_bit_exact(n, seed, first, top, delta_in, horizon, stride):
    cfg = Config.paper(n=n, **{**FAST, "horizon": horizon})
    count = 4
    log = _run_serial(cfg, seed, first, count, top=top, delta_in=delta_in, stride=stride)
    gcfg = cfg if delta_in is None else cfg.replace(delta=delta_in / 2**cfg.frac_bits)
    # trials first, first + stride, ... (indices mod 2**32, as the trial key wraps)
    golden = [
        fixed.run_trials(
            gcfg,
            1,
            seed,
            first_trial=(first + j * stride) % 2**32,
            top=None if top is None else [top],
        )
        for j in range(count)
    ]
    assert len(log["results"]) == count
    for word, g in zip(log["results"], golden, strict=True):
        hw = result_layout(cfg).from_bits(word)
        assert hw.top == g.top[0] and hw.steps == g.steps[0]
        assert hw.decided == g.decided[0] and hw.digest == g.state_hash[0]
        assert hw.winner == g.winner[0] or not g.decided[0]
    # the cycle budget: run start (first * WEYL, fmix32(seed)), the first trial's two hashes;
    # then each trial loads in the cycle after the result before it is taken, unless its
    # hashes (started the cycle after the load before) are not ready yet
    hashes = 2 * (FMIX_CYCLES + 1) + 3
    load = MUL_CYCLES + FMIX_CYCLES + 1 + hashes - 1  # the cycle after the start is 0
    waited, accepted = False, None
    for at, g in zip(log["accepted_at"], golden, strict=True):
        if accepted is not None:
            ready = load + hashes
            waited |= ready > accepted + 1
            load = max(accepted + 1, ready)
        accepted = load + 2 + prime_clocks(cfg) + int(g.steps[0])
        accepted += winner_clocks(cfg)
        assert at == accepted
    assert waited == (horizon < 10)


def test_seeding_must_be_known():
    with pytest.raises(ValueError, match="Seeding must be one of parallel, serial, not 'fast'"):
        TrialEngine(Config.paper(n=2), seeding="fast")


@pytest.mark.parametrize("stride", [0, True, 2**16 + 1, 1.5])
def test_stride_must_be_a_small_positive_integer(stride):
    with pytest.raises(ValueError, match="Trial stride must be an integer in 1..65536"):
        TrialEngine(Config.paper(n=2), stride=stride)
