# amaranth: UnusedElaboratable=no
"""The evidence-in core (gaba.hdl.core.EvidenceCore), parallel and folded, in Amaranth's
simulator: every trial's result equals gaba.golden.evidence.run_evidence's, with random stalls
on both streams; a golden model of another hold, and one of another seed, fail the
comparison."""

from __future__ import annotations

import functools
import random

import numpy as np
import pytest
from amaranth.sim import Simulator

from gaba.golden.config import Config
from gaba.golden.evidence import Registers, run_evidence
from gaba.hdl.core import EvidenceCore, send_trial

NOISY = Config.paper(n=4, delta=0.2, dt=2**-4, horizon=40.0)
QUIET = Config.paper(n=5, sigma=0.0, dt=2**-4, horizon=30.0)
# the folded network: passes that overlap (latency 1), and a padded last row (5 = 2 + 2 + 1)
FOLDED = NOISY.replace(lanes=2, latency=1)
FOLDED_QUIET = QUIET.replace(lanes=2, latency=3)


def run_core(
    cfg, trials, seed, registers, *, p_in=0.7, p_out=0.5, rnd=1, reseed=None, reseed_early=False
):
    """The core's result rows for ``trials`` (golden row fields), the beats offered with
    probability ``p_in`` a clock and results taken with ``p_out``; ``reseed`` = (k, s): once
    k results are in, seed s is loaded before trial k's beats."""
    dut = EvidenceCore(cfg)
    pace = random.Random(rnd)
    rows = []

    async def source(ctx):
        ctx.set(dut.hold, registers.hold)
        for port, value in (
            (dut.horizon, registers.max_steps),
            (dut.theta, registers.theta_q),
            (dut.stop, registers.stop_q),
        ):
            if value is not None:
                ctx.set(port, value)
        ctx.set(dut.seed, seed)
        ctx.set(dut.seed_load, 1)
        await ctx.tick()
        ctx.set(dut.seed_load, 0)
        for j, trial in enumerate(trials):
            if reseed is not None and j == reseed[0]:
                # early: while trial j - 1 runs (its vectors are in); else after its result
                while len(rows) < (j - 1 if reseed_early else j):
                    await ctx.tick()
                if reseed_early:  # once trial j - 1 takes steps
                    await ctx.tick().until(dut.step)
                ctx.set(dut.seed, reseed[1])
                ctx.set(dut.seed_load, 1)
                await ctx.tick()
                ctx.set(dut.seed_load, 0)
            await send_trial(ctx, dut.evidence, trial, lambda: pace.random() > p_in)

    async def sink(ctx):
        pulses = 0  # the ``step`` pulses since the last result
        while len(rows) < len(trials):
            ctx.set(dut.results.ready, pace.random() < p_out)
            *_, valid, ready, p, step = await ctx.tick().sample(
                dut.results.valid, dut.results.ready, dut.results.payload, dut.step
            )
            pulses += step
            if valid and ready:
                assert p.timeout == (not p.decided)
                assert pulses == p.steps, "a step pulse for each of the trial's steps"
                pulses = 0
                rows.append(
                    {
                        "winner": p.winner if p.decided else -1,
                        "steps": p.steps,
                        "decided": p.decided,
                        "eta_sat": p.eta_sat,
                        "r_sat": p.r_sat,
                        "in_sat": p.in_sat,
                        "state_hash": p.digest,
                    }
                )

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(source, background=True)
    sim.add_testbench(sink)
    sim.run()
    return [{k: int(v) for k, v in row.items()} for row in rows]


def trials_of(cfg, count, *, vectors, seed):
    rng = np.random.default_rng(seed)
    return [
        rng.integers(0, cfg.b_hi + 300, size=(rng.integers(1, vectors + 1), cfg.n))
        for _ in range(count)
    ]


CASES = {
    # fixed evidence and a few changes, noise on; many short vectors (the trial decides
    # with vectors to come: they are dropped); noise off with every register set
    "noisy": (NOISY, Registers(hold=9), 3, 3),
    "drained": (NOISY, Registers(hold=1), 400, 2),
    "quiet": (QUIET, Registers(hold=2, theta_q=600, stop_q=5000, max_steps=400), 40, 3),
    # the folded network: vectors that wait in the other bank (overlapping passes); a new
    # vector every pass from a source slower than the network, with every register set
    "folded": (FOLDED, Registers(hold=3), 10, 3),
    "folded-quiet": (FOLDED_QUIET, Registers(hold=1, theta_q=600, stop_q=5000), 400, 2),
}
#: Folded cases with their own source pace: (cfg, registers, vectors, count, trial seed, p_in,
#: p_out).
FOLDED_CASES = {
    # 4 rows and a source that never stalls: the next vector swaps in while the last pass on
    # the one before still reads its rows (a pass must keep the bank it started with)
    "swap-mid-pass": (
        NOISY.replace(n=8, lanes=2, latency=1),
        Registers(hold=2),
        30,
        2,
        21,
        1.0,
        0.3,
    ),
    # conventional WTA, latency 0 (a drain every pass), 4 lanes with 3 empty in the last row;
    # undecided trials run to the horizon: 320 steps
    "wta-drain-padded": (
        Config.paper(n=5, kind="wta", delta=0.2, dt=2**-4, horizon=20.0, lanes=4),
        Registers(hold=3),
        8,
        2,
        5,
        0.7,
        0.5,
    ),
    # one lane: a row is one neuron (slow tier)
    "one-lane": (NOISY.replace(n=3, lanes=1, latency=2), Registers(hold=2), 6, 2, 3, 0.7, 0.5),
}


@functools.cache
def core_run(case):
    """(trials, the core's result rows) of ``CASES[case]``, simulated once: the test below
    and the companions of another hold hold the same run to their golden models."""
    cfg, registers, vectors, count = CASES[case]
    trials = trials_of(cfg, count, vectors=vectors, seed=len(case))
    return trials, run_core(cfg, trials, 7, registers)


@pytest.mark.parametrize("case", CASES)
def test_the_core_runs_the_golden_trials(case):
    cfg, registers, _, _ = CASES[case]
    trials, rows = core_run(case)
    want = run_evidence(cfg, trials, 7, registers=registers)
    assert rows == [want.row(j) for j in range(len(trials))]
    assert want.decided.any() and want.in_sat.any()


@pytest.mark.parametrize(
    "case",
    # one lane in the slow tier only (the engine's one-lane network runs in the default run)
    [
        *(c for c in FOLDED_CASES if c != "one-lane"),
        pytest.param("one-lane", marks=pytest.mark.slow),
    ],
)
def test_the_folded_core_runs_the_golden_trials(case):
    cfg, registers, vectors, count, seed, p_in, p_out = FOLDED_CASES[case]
    trials = trials_of(cfg, count, vectors=vectors, seed=seed)
    want = run_evidence(cfg, trials, 7, registers=registers)
    got = run_core(cfg, trials, 7, registers, p_in=p_in, p_out=p_out)
    assert got == [want.row(j) for j in range(len(trials))]


def test_a_seed_loaded_between_trials_restarts_the_count():
    cfg, registers, vectors, _ = CASES["noisy"]
    trials = trials_of(cfg, 5, vectors=1, seed=4)
    first = run_evidence(cfg, trials[:2], 7, registers=registers)
    then = run_evidence(cfg, trials[2:], 9, registers=registers)
    want = [first.row(j) for j in range(2)] + [then.row(j) for j in range(3)]
    assert run_core(cfg, trials, 7, registers, reseed=(2, 9)) == want


@pytest.mark.parametrize("cfg", [QUIET, FOLDED_QUIET], ids=["parallel", "folded"])
@pytest.mark.parametrize("horizon", [20, 21])
def test_a_clamped_vector_counts_once_a_step_reads_it(cfg, horizon):
    # vector 2 (clamped) is read from step 20 on: a horizon of 20 ends before it, of 21 not;
    # the trial's vectors after it are dropped (the folded network may have started a pass on
    # it, speculatively, before step 19's commit)
    calm = np.full(cfg.n, cfg.b_hi // 2)
    loud = np.full(cfg.n, cfg.b_hi + 5)
    loud[1:] = cfg.b_hi // 3
    trial = np.stack([calm, calm, loud, loud, calm])
    registers = Registers(hold=10, max_steps=horizon)
    want = run_evidence(cfg, [trial], 3, registers=registers)
    assert want.in_sat[0] == (horizon == 21)
    assert run_core(cfg, [trial], 3, registers) == [want.row(0)]


@pytest.mark.parametrize("case", ["noisy", "folded"])
def test_a_seed_loaded_during_a_trial_applies_from_the_next(case):
    cfg, registers, _, _ = CASES[case]
    trials = trials_of(cfg, 3, vectors=1, seed=8)
    first = run_evidence(cfg, trials[:1], 7, registers=registers)
    then = run_evidence(cfg, trials[1:], 9, registers=registers)
    want = [first.row(0)] + [then.row(j) for j in range(2)]
    assert run_core(cfg, trials, 7, registers, reseed=(1, 9), reseed_early=True) == want


@pytest.mark.parametrize("case", ["noisy", "folded"])
def test_a_golden_model_of_another_hold_fails(case):
    # the companion: the core's run of the case above against a golden model of another hold
    cfg, registers, _, _ = CASES[case]
    trials, rows = core_run(case)
    other = run_evidence(cfg, trials, 7, registers=Registers(hold=registers.hold + 1))
    assert rows != [other.row(j) for j in range(len(trials))]


def test_a_golden_model_of_another_seed_fails():
    cfg, registers, vectors, _ = CASES["noisy"]
    trials = trials_of(cfg, 2, vectors=1, seed=6)
    other = run_evidence(cfg, trials, 8, registers=registers)
    assert run_core(cfg, trials, 7, registers) != [other.row(j) for j in range(len(trials))]


def test_the_core_refuses_a_network_it_does_not_run():
    with pytest.raises(ValueError, match="one clock per step"):
        EvidenceCore(NOISY.replace(step_clocks=2))
    with pytest.raises(ValueError, match="at most 65535 options"):
        EvidenceCore(Config.paper(n=70000, lanes=64))


def test_the_register_file_honours_byte_selects_and_acks_only_within_a_cycle():
    from gaba.hdl.core import REGISTERS, AxiStreamCore, info_word

    dut = AxiStreamCore(QUIET)
    seen = {}

    async def bus(ctx):
        async def access(word, data=None, sel=0b1111, abandon=False):
            ctx.set(dut.wb_adr, word)
            ctx.set(dut.wb_we, data is not None)
            ctx.set(dut.wb_dat_w, data or 0)
            ctx.set(dut.wb_sel, sel)
            ctx.set(dut.wb_cyc, 1)
            ctx.set(dut.wb_stb, 1)
            await ctx.tick()
            if abandon:  # the master ends its cycle in the clock the ack would come
                ctx.set(dut.wb_cyc, 0)
                ctx.set(dut.wb_stb, 0)
                return ctx.get(dut.wb_ack)
            ack, value = ctx.get(dut.wb_ack), ctx.get(dut.wb_dat_r)
            ctx.set(dut.wb_cyc, 0)
            ctx.set(dut.wb_stb, 0)
            await ctx.tick()
            assert ack and not ctx.get(dut.wb_ack)  # one ack an access
            return value

        await ctx.tick()
        seen["info"] = await access(REGISTERS["INFO"])
        await access(REGISTERS["STOP"], 0x1234)
        await access(REGISTERS["STOP"], 0xFF15FF, sel=0b0010)  # the second byte only
        seen["stop"] = await access(REGISTERS["STOP"])
        seen["stray"] = await access(REGISTERS["HOLD"], 7, abandon=True)
        await ctx.tick()
        seen["quiet"] = ctx.get(dut.wb_ack)
        seen["hold"] = await access(REGISTERS["HOLD"])

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bus)
    sim.run()
    assert seen["info"] == info_word(QUIET)
    assert seen["stop"] == 0x1534
    assert seen["stray"] == 0 and seen["quiet"] == 0
    assert seen["hold"] == 7  # the abandoned write had taken effect at its strobe
