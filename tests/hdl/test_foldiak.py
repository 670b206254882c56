# amaranth: UnusedElaboratable=no
"""The Földiák layer in Amaranth's simulator against the golden model, step by step."""

import numpy as np
import pytest

from gaba.golden.config import Config
from gaba.golden.foldiak import fixed as foldiak
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.hdl.foldiak import (
    CMD_INIT,
    CMD_TEST,
    CMD_TRAIN,
    READ_Q,
    READ_T,
    READ_W,
    FoldiakLayer,
    cycles_per_presentation,
)
from tests.simulate import simulate as run_testbench

SMALL = FoldiakConfig.paper(pre_presentations=2, settle_steps=6)


def _lanes(word, bits, n, signed):
    v = np.array([(word >> (bits * i)) & ((1 << bits) - 1) for i in range(n)], np.int64)
    return np.where(v >> (bits - 1), v - (1 << bits), v) if signed else v


def simulate(cfg, seed, run, presentations, tests):
    """Run the layer: INIT, then one TRAIN command per presentation with the state read back
    after each, then TEST. Returns states, results (ystar, label, index, clock) and tests."""
    dut = FoldiakLayer(cfg)
    out = {"states": [], "train": [], "test": []}

    async def bench(ctx):
        clock = 0

        async def tick():
            nonlocal clock
            await ctx.tick()
            clock += 1

        async def command(cmd, count=0):
            ctx.set(dut.cmd, cmd)
            ctx.set(dut.seed, seed)
            ctx.set(dut.run, run)
            ctx.set(dut.count, count)
            ctx.set(dut.start, 1)
            await tick()
            ctx.set(dut.start, 0)

        async def results(count, into):
            for _ in range(count):
                while not ctx.get(dut.res.valid):
                    await tick()
                p = ctx.get(dut.res.payload)
                into.append(
                    (np.array([int(v) for v in p.ystar]), int(p.label), int(p.index), clock)
                )
                await tick()
            while ctx.get(dut.busy):
                await tick()

        async def readback():
            q = np.zeros((cfg.n, cfg.m), np.int64)
            w = np.zeros((cfg.n, cfg.n), np.int64)
            for sel, rows, dest, bits, signed in (
                (READ_Q, cfg.m, q, cfg.q_bits, False),
                (READ_W, cfg.n, w, cfg.w_bits, True),
            ):
                for j in range(rows):
                    ctx.set(dut.rd_sel, sel)
                    ctx.set(dut.rd_addr, j)
                    await tick()
                    dest[:, j] = _lanes(ctx.get(dut.rd_data), bits, cfg.n, signed)
            ctx.set(dut.rd_sel, READ_T)
            await tick()
            t = _lanes(ctx.get(dut.rd_data), cfg.t_bits, cfg.n, True)
            flags = (ctx.get(dut.w_sat), ctx.get(dut.t_sat))
            out["states"].append((q, w, t, flags, ctx.get(dut.presentations)))

        ctx.set(dut.res.ready, 1)
        await command(CMD_INIT)
        while ctx.get(dut.busy):
            await tick()
        await readback()
        for _ in range(presentations):
            await command(CMD_TRAIN, 1)
            await results(1, out["train"])
            await readback()
        if tests:
            await command(CMD_TEST, tests)
            await results(tests, out["test"])

    run_testbench(dut, bench)
    return out


def mismatches(cfg, out, seed, run, presentations):
    """(presentation, signal) of every value where ``out`` differs from the golden model."""
    tr = foldiak.trace(cfg, seed, run, max(0, presentations - cfg.pre_presentations))
    bad = []
    for k, (q, w, t, flags, done) in enumerate(out["states"]):
        for name, hw in (("q", q), ("w", w), ("t", t)):
            if not np.array_equal(getattr(tr, name)[k], hw):
                bad.append((k, name))
        if flags != (tr.w_sat[k], tr.t_sat[k]) or done != k:
            bad.append((k, "flags"))
    for k, (ystar, label, index, _) in enumerate(out["train"]):
        if not np.array_equal(tr.ystar[k], ystar) or label != tr.labels[k] or index != k:
            bad.append((k, "result"))
    return bad


#: The run the test below and its perturbed companion hold to their golden models: seed, run,
#: presentations (2 of them in the threshold pre-run).
RUN = (5, 1, 6)


@pytest.fixture(scope="module")
def layer_run():
    """The layer simulated once for :data:`RUN`, then 4 test patterns."""
    return simulate(SMALL, *RUN, tests=4)


def test_layer_is_the_golden_model_presentation_by_presentation(layer_run):
    seed, run, presentations = RUN
    out = layer_run
    assert mismatches(SMALL, out, seed, run, presentations) == []
    # learning happened (so the comparison above covered the updates, not just zeros)
    q0, w0, t0 = out["states"][0][:3]
    q, w, t = out["states"][-1][:3]
    assert (w < 0).any() and not np.array_equal(q, q0) and not np.array_equal(t, t0)
    # test patterns: settling only, from the test stream, on the final state
    x, labels = foldiak.test_patterns(seed, 1, 4, first_run=run)
    ystar = foldiak.respond(SMALL, q[None], w[None], t[None], x)[0]
    assert [r[1] for r in out["test"]] == labels[0].tolist()
    assert all(np.array_equal(ystar[k], r[0]) for k, r in enumerate(out["test"]))
    assert [r[2] for r in out["test"]] == [0, 1, 2, 3]


def test_a_perturbed_golden_model_is_caught(layer_run):
    # the same hardware run held to a golden model whose beta differs by one LSB of its
    # constant: the first presentation after the pre-run whose winner learns must differ in q
    seed, run, presentations = RUN
    out = layer_run
    perturbed = SMALL.replace(beta=(SMALL.beta_c + 1) / 2**SMALL.coef_bits)
    assert perturbed.beta_c == SMALL.beta_c + 1
    bad = mismatches(perturbed, out, seed, run, presentations)
    assert bad and bad[0][1] == "q" and bad[0][0] > SMALL.pre_presentations


def test_clocks_per_presentation():
    cfg = FoldiakConfig.paper(pre_presentations=0, settle_steps=3)
    out = simulate(cfg, 2, 0, 3, tests=2)
    clocks = [r[3] for r in out["train"]]
    readback = cfg.m + cfg.n + 1
    # each presentation: its command, the schedule, the result handshake, the read-back
    gaps = np.diff(clocks)
    assert (gaps == cycles_per_presentation(cfg) + readback + 1).all()
    assert cycles_per_presentation(FoldiakConfig.paper()) == 1284


def test_layer_refuses_other_configs():
    with pytest.raises(ValueError, match="needs a FoldiakConfig"):
        FoldiakLayer(Config.paper(n=4))
    with pytest.raises(ValueError, match="m must be 64"):
        FoldiakLayer(FoldiakConfig.paper(m=16))
