# amaranth: UnusedElaboratable=no
"""gaba.hdl.folded: the folded network held to the golden model step by step (lockstep
through its peek port) and trial by trial, with the perturbations that must be caught.

Trials of the folded engine against ``run_trials``, with the cycle budget, are in
test_engine.py's parametrization (ids ``folded-*``).
"""

import functools
import re

import numpy as np
import pytest
from amaranth.back import verilog

import gaba.hdl.folded as folded
from gaba.golden import fixed
from gaba.golden.config import Config
from gaba.hdl.engine import TrialEngine, port_comment, trial_clocks
from tests.hdl.test_engine import FAST, assert_matches, golden
from tests.simulate import simulate

SIGNALS = ("x", "eta", "rng")


def lockstep(cfg: Config, seed: int, first: int = 0, max_cycles: int = 400_000) -> dict:
    """One trial, stepped: the engine's ``hold`` keeps each pass from starting until the
    bench has read every neuron through ``peek`` (and s_inh and the flags) at ``in_run``."""
    dut = TrialEngine(cfg, debug=True)
    log = {"states": [], "result": None}

    async def bench(ctx):
        ctx.set(dut.hold, 1)
        ctx.set(dut.seed, seed)
        ctx.set(dut.first, first)
        ctx.set(dut.count, 1)
        ctx.set(dut.res.ready, 0)  # the result waits while the bench peeks
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        for _ in range(max_cycles):
            if ctx.get(dut.res.valid):
                p = ctx.get(dut.res.payload)
                log["result"] = {name: int(getattr(p, name)) for name, _ in p.shape()}
                return
            if ctx.get(dut.in_run):
                state = {
                    "steps": ctx.get(dut.steps),
                    "s_inh": ctx.get(dut.s_inh),
                    "eta_sat": ctx.get(dut.eta_sat),
                    "r_sat": ctx.get(dut.r_sat),
                    **{sig: [] for sig in SIGNALS},
                }
                for i in range(cfg.n):
                    ctx.set(dut.peek_addr, i)
                    await ctx.tick()
                    peek = ctx.get(dut.peek)
                    for sig in SIGNALS:
                        state[sig].append(int(getattr(peek, sig)))
                log["states"].append(state)
                ctx.set(dut.hold, 0)  # one pass, unless the trial ended with this state
                for _ in range(64):  # a pass starts within two clocks, a result within a few
                    if ctx.get(dut.started) or ctx.get(dut.res.valid):
                        break
                    await ctx.tick()
                else:
                    raise AssertionError(f"no pass started after step {state['steps']}")
                ctx.set(dut.hold, 1)
                continue
            await ctx.tick()
        raise AssertionError("the trial did not end within max_cycles")

    simulate(dut, bench)
    return log


@functools.cache
def stepped(cfg: Config, seed: int) -> dict:
    """:func:`lockstep` of trial 0, simulated once per Config and seed: a test and its
    perturbed companion read the same run."""
    return lockstep(cfg, seed)


def first_mismatch(cfg: Config, states: list[dict], tr: fixed.Trace):
    """(step, signal, neuron, golden, hardware) of the first difference, or None."""
    lat = cfg.latency
    for k, st in enumerate(states):
        if st["steps"] != k:
            return (k, "steps", None, k, st["steps"])
        for sig in SIGNALS:
            want, got = getattr(tr, sig)[k].tolist(), st[sig]
            for i, (w, g) in enumerate(zip(want, got, strict=True)):
                if w != g:
                    return (k, sig, i, w, g)
        golden_flags = {
            "s_inh": int(tr.s_sum[k - lat]) if k >= lat else 0,
            "eta_sat": int(tr.eta_sat[k]),
            "r_sat": int(tr.r_sat[k]),
        }
        for sig, want in golden_flags.items():
            if want != st[sig]:
                return (k, sig, None, want, st[sig])
    return None


@pytest.mark.parametrize(
    "changes",
    [
        dict(n=5, lanes=2, **FAST),
        dict(n=4, lanes=4 // 2, latency=1, **FAST),
        dict(kind="wta", n=3, lanes=1, latency=2, **FAST),
    ],
    ids=["n5-K2", "n4-K2-L1", "wta-n3-K1-L2"],
)
def test_lockstep_every_step_matches_the_golden_trace(changes):
    cfg = Config.paper(**changes)
    seed = 7
    log = stepped(cfg, seed)
    tr = fixed.trace(cfg, seed, 0)
    assert tr.winner >= 0
    assert len(log["states"]) == tr.steps + 1  # the start and every step
    assert first_mismatch(cfg, log["states"], tr) is None
    assert_matches([log["result"]], golden(cfg, 1, seed, 0))


def test_lockstep_catches_a_perturbed_golden_model():
    # the same hardware run (the n4-K2-L1 case above) held to a golden model whose inhibition
    # is 1 % stronger: the comparison names the first step, the signal and the neuron
    cfg = Config.paper(n=4, lanes=2, latency=1, **FAST)
    log = stepped(cfg, 7)
    perturbed = fixed.trace(cfg.replace(beta=cfg.params.beta * 1.01), 7, 0)
    mm = first_mismatch(cfg, log["states"], perturbed)
    assert mm is not None
    step, signal, neuron, want, got = mm
    assert step >= 1 and signal == "x" and 0 <= neuron < cfg.n and want != got


@pytest.mark.parametrize(
    "changes",
    [dict(n=3, lanes=1, **FAST), dict(n=4, lanes=2, latency=1, **FAST)],
    ids=["L0-drain", "L1-write-back"],
)
def test_a_pass_one_clock_shorter_is_caught(changes, monkeypatch):
    """pass_clocks is tight: one clock less and a pass reads an S not yet complete (L = 0)
    or a row not yet written back (L >= 1), and the trial differs from the golden model (one
    trial: every pass of it reads the S or row the shorter pass cuts off)."""
    cfg = Config.paper(**changes)
    seed, count = 3, 1
    gold = golden(cfg, count, seed, 0)
    assert_matches(run_trials(cfg, seed, count), gold)  # the design as it is: bit-exact
    shorter = folded.pass_clocks(cfg) - 1
    assert shorter >= folded.rows(cfg)
    monkeypatch.setattr(folded, "pass_clocks", lambda c: shorter)
    results = run_trials(cfg, seed, count)
    assert len(results) == count  # the trial ran, and differs
    with pytest.raises(AssertionError):
        assert_matches(results, gold)


def run_trials(cfg: Config, seed: int, count: int, max_cycles: int = 200_000) -> list[dict]:
    """``count`` trials of a folded TrialEngine, results as field dicts."""
    dut = TrialEngine(cfg)
    out = []

    async def bench(ctx):
        ctx.set(dut.seed, seed)
        ctx.set(dut.count, count)
        ctx.set(dut.res.ready, 1)
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        for _ in range(max_cycles):
            if ctx.get(dut.res.valid):
                p = ctx.get(dut.res.payload)
                out.append({name: int(getattr(p, name)) for name, _ in p.shape()})
                if len(out) == count:
                    return
            await ctx.tick()

    simulate(dut, bench)
    return out


def test_pass_clocks_and_trial_clocks():
    # L = 0 drains the pipeline every step; L >= 1 overlaps passes once rows cover it
    big = Config.paper(n=1024, lanes=4, latency=1)
    assert folded.rows(big) == 256 and folded.pass_clocks(big) == 256
    drain = big.replace(latency=0)
    assert folded.pass_clocks(drain) == 256 + folded.acc_stage(drain)
    small = Config.paper(n=4, lanes=2, latency=1)
    assert folded.pass_clocks(small) == folded.WRITE_STAGE + 1
    assert folded.tree_stages(Config.paper(n=64, lanes=64 // 2)) == 3
    assert trial_clocks(big, 1) == 3 + 256 + folded.acc_stage(big)
    assert trial_clocks(big, 11) - trial_clocks(big, 1) == 10 * 256


def _logic_lines(cfg: Config) -> int:
    text = verilog.convert(folded.FoldedNetwork(cfg), name="top")
    init = re.compile(r"^\s*\\?[\w.$]+\s*\[\s*\d+\s*\]\s*=")
    return sum(1 for line in text.splitlines() if not init.match(line))


def test_verilog_does_not_grow_with_n():
    # only the generator constants' ROM contents (one word per row) grow with n
    small = _logic_lines(Config.paper(n=64, lanes=4, latency=1))
    large = _logic_lines(Config.paper(n=4096, lanes=4, latency=1))
    assert abs(large - small) <= 8, (small, large)


def test_port_comment_lists_the_peek_port():
    text = port_comment(Config.paper(n=8, lanes=2), debug=True)
    for port in ("hold", "peek_addr", "peek", "s_inh", "started"):
        assert re.search(rf"^//   {port}\s+(in|out)\s+\d+\s+debug \(folded\)", text, re.M), port
    assert "  state " not in text


def test_network_needs_lanes():
    with pytest.raises(ValueError, match="FoldedNetwork needs a gaba Config with lanes"):
        folded.FoldedNetwork(Config.paper(n=4))


def test_lane_salts_are_the_golden_constants():
    from gaba.golden import primitives

    cfg = Config.paper(n=6, lanes=4)
    salts = primitives.neuron_salts(6).tolist()
    for lane in range(4):
        got = folded.Lane(cfg, lane).salts()
        want = [salts[r * 4 + lane] if r * 4 + lane < 6 else 0 for r in range(2)]
        assert got == want
    assert np.count_nonzero([folded.Lane(cfg, 3).salts()[1]]) == 0
