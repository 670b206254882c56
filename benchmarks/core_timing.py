"""The timing diagram of docs/core.md: one run of the evidence-in core, recorded clock by
clock in Amaranth's simulator, and its results held to the golden model.

    python benchmarks/core_timing.py [--out docs/results/core/trial.png]

Two trials of noisy channel evidence (n = 4, noise on, HOLD 3: the first with 4 vectors, the
second with one), the source stalling at random and the sink ready in every other clock. The
figure shows the evidence handshake, each trial's last beat, the steps the network takes (it
waits where a vector has not all arrived), busy, and the result handshake; the script checks
that the results equal ``gaba.golden.evidence.run_evidence`` before it draws.
"""

import argparse
import random
from pathlib import Path

import numpy as np
from amaranth.sim import Simulator

from gaba.golden.config import Config
from gaba.golden.evidence import Registers, channel_trials, run_evidence
from gaba.hdl.core import EvidenceCore, send_trial
from gaba.sim.plots import timing_diagram

SIGNALS = ("s_valid", "s_ready", "s_last", "step", "busy", "m_valid", "m_ready", "steps")


def record(cfg, trials, registers, *, seed=1):
    """Run ``trials`` on the core; the per-clock traces and the results' step counts."""
    dut = EvidenceCore(cfg)
    pace = random.Random(seed)
    traces = {name: [] for name in SIGNALS}
    results, done = [], []

    async def source(ctx):
        ctx.set(dut.hold, registers.hold)
        for trial in trials:
            await send_trial(ctx, dut.evidence, trial, lambda: pace.random() < 0.4)

    async def sink(ctx):
        clock = 0
        while len(results) < len(trials):
            ctx.set(dut.results.ready, clock % 2)
            *_, sv, sr, sl, st, bz, mv, mr, p = await ctx.tick().sample(
                dut.evidence.valid,
                dut.evidence.ready,
                dut.evidence.payload.last,
                dut.step,
                dut.busy,
                dut.results.valid,
                dut.results.ready,
                dut.results.payload,
            )
            for name, v in zip(SIGNALS[:-1], (sv, sr, sv & sl, st, bz, mv, mr), strict=True):
                traces[name].append(int(v))
            done.append(int(st))
            traces["steps"].append(sum(done))  # the trial's steps so far
            if mv and mr:
                results.append(int(p.steps))
                done.clear()
            clock += 1
        for _ in range(6):
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(source, background=True)
    sim.add_testbench(sink)
    sim.run()
    return traces, results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="docs/results/core/trial.png")
    args = ap.parse_args()
    cfg = Config.paper(n=4, delta=0.3, dt=0.125, horizon=20.0)
    registers = Registers(hold=3)
    first = channel_trials(cfg, 1, 2, vectors=4, sd=0.15)[0]
    second = channel_trials(cfg, 1, 3, vectors=1, sd=0.15)[0]
    trials = first + second
    traces, steps = record(cfg, trials, registers)
    want = run_evidence(cfg, trials, 0, registers=registers)
    if steps != list(want.steps):
        raise SystemExit(f"the core's steps {steps} differ from the golden model's {want.steps}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    title = (
        f"EvidenceCore, n = {cfg.n}, HOLD {registers.hold}: two trials "
        f"({len(first[0])} and {len(second[0])} vectors), {steps} steps, as the golden model"
    )
    timing_diagram(out, {k: np.array(v) for k, v in traces.items()}, title)
    print(f"{out}: {len(traces['step'])} clocks, results {steps} steps (golden {list(want.steps)})")


if __name__ == "__main__":
    main()
