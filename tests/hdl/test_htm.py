# amaranth: UnusedElaboratable=no
"""The spatial pooler core (gaba.hdl.htm) in Amaranth's simulator: every step's active
columns equal the fixed-point golden model's over a training run."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from gaba.golden.htm.fixed import FixedSpatialPooler, SpatialPoolerConfig
from gaba.golden.htm.reference import SpatialPoolerParams
from gaba.hdl.htm import SpatialPoolerCore, step_clocks

#: Small enough for Amaranth's simulator; boosting on and a minimum duty high enough that
#: weak columns get bumped.
PARAMS = SpatialPoolerParams(
    inputs=16,
    columns=24,
    potential_radius=8,
    local_area_density=0.2,
    boost_strength=3.0,
    duty_cycle_period=64,
    min_pct_overlap_duty_cycles=0.4,
)


def words(bits):
    return [int(sum(1 << i for i in np.flatnonzero(row))) for row in bits]


def run_core(cfg, seed, inputs, learns, ready=lambda step: True):
    """(mask of each step, the clocks each step worked)."""
    dut = SpatialPoolerCore(cfg, seed)
    sim = Simulator(dut)
    sim.add_clock(1e-6)
    masks, clocks = [], []

    async def bench(ctx):
        for step, (word, learn) in enumerate(zip(words(inputs), learns, strict=True)):
            ctx.set(dut.x.payload.bits, word)
            ctx.set(dut.x.payload.learn, int(learn))
            ctx.set(dut.x.valid, 1)
            while not ctx.get(dut.x.ready):
                await ctx.tick()
            await ctx.tick()
            ctx.set(dut.x.valid, 0)
            worked = 0
            while not ctx.get(dut.active.valid):
                await ctx.tick()
                worked += 1
            for _ in range(0 if ready(step) else 3):  # held back: the mask waits
                await ctx.tick()
                assert ctx.get(dut.active.valid) and not ctx.get(dut.x.ready)
            masks.append(ctx.get(dut.active.payload))
            clocks.append(worked)
            ctx.set(dut.active.ready, 1)
            await ctx.tick()
            ctx.set(dut.active.ready, 0)

    sim.add_testbench(bench)
    sim.run()
    return masks, clocks


def golden_masks(cfg, seed, inputs, learns):
    model = FixedSpatialPooler(cfg, seed)
    return [
        sum(1 << int(c) for c in model.compute(x, bool(learn)))
        for x, learn in zip(inputs, learns, strict=True)
    ], model


def stimulus(steps, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((steps, PARAMS.inputs)) < 0.3, rng.random(steps) < 0.85


@pytest.fixture(scope="module")
def training_run():
    """The core's training run of 160 steps, the mask held back at times: (cfg, inputs,
    learns, masks, clocks), shared by the test below and its perturbed companion."""
    cfg = SpatialPoolerConfig(params=PARAMS)
    inputs, learns = stimulus(160)
    masks, clocks = run_core(cfg, 2, inputs, learns, ready=lambda s: s % 7 != 3)
    return cfg, inputs, learns, masks, clocks


def test_a_training_run_is_the_golden_model(training_run):
    cfg, inputs, learns, masks, clocks = training_run
    want, model = golden_masks(cfg, 2, inputs, learns)
    assert masks == want
    assert all(bin(m).count("1") == cfg.k for m in masks)
    assert clocks == [step_clocks(cfg, bool(learn)) for learn in learns]
    # the run exercised what it checks: boosts apart from 1, a weak column bumped, steps of
    # iterations 50 and 150 that update the minimum duty and one of 100 that does not learn,
    # ties at the k-th place (counted on the golden model again)
    assert len(set(model.boost.tolist())) > 1 and model.bumped > 0
    assert learns[49] and not learns[99] and learns[149]
    again, ties = FixedSpatialPooler(cfg, 2), 0
    for x, learn in zip(inputs, learns, strict=True):
        ranked = np.sort(again.overlaps(x) * again.boost)[::-1]
        ties += ranked[cfg.k - 1] == ranked[cfg.k]
        again.compute(x, bool(learn))
    assert ties > 10


def test_a_perturbed_golden_model_is_caught(training_run):
    # companion: the same hardware run against a model whose active increment is one step
    # larger
    cfg, inputs, learns, masks, _ = training_run
    other = cfg.replace(active_inc=PARAMS.active_inc + 1 / cfg.perm_max)
    assert other.inc_q == cfg.inc_q + 1
    want, _ = golden_masks(other, 2, inputs, learns)
    assert masks != want


def test_unsupported_configs_are_refused():
    with pytest.raises(ValueError, match="stimulus threshold of 0 only"):
        SpatialPoolerCore(SpatialPoolerConfig(params=PARAMS.replace(stimulus_threshold=1)))
    with pytest.raises(ValueError, match="SpatialPoolerConfig"):
        SpatialPoolerCore(PARAMS)
