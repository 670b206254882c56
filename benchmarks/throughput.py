"""Benchmark: decisions per second of a board build against the golden model, side by side.

    python benchmarks/throughput.py --build build/boards/<dir>/gaba_build.json \
        [--delta 0.1] [--trials 400] [--seed 1] [--repeats 5] [--json out.json]

One run measures both sides on the same trials: the build's Config (the paper point with its
n, latency and clocks per step), with the input gap ``--delta`` set by the host for every
trial (the engine's ``delta_in``; the golden model runs the Config with that delta):

- the golden model: ``gaba.golden.fixed.run_trials`` on this machine, after a warm-up
  (compilation excluded), the median of ``--repeats`` timings of ``--trials`` trials;
- the hardware: the board top the build was made from (the same replicas), simulated
  cycle-accurately on Verilator (``gaba board run --port sim``), runs the same trials with
  the results left on the board; its counters give the clock cycles of the run (start
  command to last result) and the steps, which must equal the golden model's. Decisions
  per second = trials / (cycles / clock), at the clock the build runs at (its PLL's or the
  board's) and at the build's fmax (nextpnr's report).

The ratio hardware / golden is printed for both clocks.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from gaba.boards.designs.nwta import run_trials
from gaba.boards.host import Board
from gaba.boards.simboard import SimTransport
from gaba.golden import fixed
from gaba.golden.config import Config


def golden_rate(cfg: Config, trials: int, seed: int, repeats: int) -> tuple[float, list]:
    """Trials per second of the golden model (median of ``repeats``), and the timings."""
    fixed.run_trials(cfg, 4, seed)  # compile
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fixed.run_trials(cfg, trials, seed)
        times.append(time.perf_counter() - start)
    return trials / statistics.median(times), times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="a build's gaba_build.json (gaba build)")
    ap.add_argument("--delta", type=float, default=0.1, help="input gap of every trial (0.1)")
    ap.add_argument("--trials", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", default=None, help="write the numbers here too")
    args = ap.parse_args()

    build = json.loads(Path(args.build).read_text())
    if build["kind"] not in ("nwta", "wta"):
        sys.exit(f"throughput: {args.build} is a {build['kind']} build, not nwta or wta")
    cfg = Config.paper(
        kind=build["kind"],
        n=build["n"],
        latency=build["latency"],
        step_clocks=build["step_clocks"],
        # fields a build of an older gaba does not report keep the Config's defaults
        **{
            k: build[k]
            for k in ("shared_noise", "products", "pipelined")
            if build.get(k) is not None
        },
    )
    if cfg.digest() != build["config_digest"]:
        sys.exit(
            f"throughput: the build's Config {build['config_digest']} is not the paper point "
            f"({cfg.digest()}); this bench measures that point only"
        )
    delta_q = round(args.delta * 2**cfg.frac_bits)
    gcfg = cfg.replace(delta=delta_q / 2**cfg.frac_bits)  # the trials the board runs
    replicas = build.get("replicas", 1)
    print(
        f"{cfg.kind} n={cfg.n}, delta {gcfg.params.delta:g}, latency {cfg.latency}, "
        f"{cfg.step_clocks} clock(s) per step, {replicas} engine(s); {args.trials} trials, "
        f"seed {args.seed}",
        flush=True,
    )

    g_rate, g_times = golden_rate(gcfg, args.trials, args.seed, args.repeats)
    print(
        f"golden model    {g_rate:10.0f} trials/s  (median of {args.repeats}: "
        + ", ".join(f"{t:.3f}" for t in g_times)
        + " s)",
        flush=True,
    )

    with SimTransport(cfg, replicas=replicas) as transport:
        board = Board(transport, timeout=10.0)
        run = run_trials(
            board, cfg, seed=args.seed, trials=args.trials, delta_q=delta_q, check=False
        )
    steps = int(fixed.run_trials(gcfg, args.trials, args.seed).steps.sum())
    s = run.summary
    if s.trials != args.trials or s.steps != steps:
        sys.exit(
            f"throughput: the simulated board counted {s.trials} trials and {s.steps} steps; "
            f"the golden model {args.trials} and {steps}"
        )
    per_trial = s.run_cycles / args.trials
    out = {
        "kind": cfg.kind,
        "n": cfg.n,
        "delta": gcfg.params.delta,
        "latency": cfg.latency,
        "step_clocks": cfg.step_clocks,
        "replicas": replicas,
        "trials": args.trials,
        "seed": args.seed,
        "steps": steps,
        "run_cycles": s.run_cycles,
        "cycles_per_trial": round(per_trial, 1),
        "golden_trials_per_s": round(g_rate),
        "build": args.build,
    }
    print(
        f"hardware        {s.run_cycles} cycles for {args.trials} trials ({steps} steps): "
        f"{per_trial:.1f} cycles per trial, {s.steps / s.run_cycles:.2f} steps per cycle"
    )
    clocks = {"clock": build["system_mhz"], "fmax": build["fmax_mhz"]}
    for name, mhz in clocks.items():
        rate = mhz * 1e6 / per_trial
        out[f"{name}_mhz"] = mhz
        out[f"hardware_trials_per_s_at_{name}"] = round(rate)
        out[f"ratio_at_{name}"] = round(rate / g_rate, 2)
        print(
            f"at {name:<5} {mhz:6.1f} MHz {rate:10.0f} trials/s  = {rate / g_rate:5.1f}x the "
            "golden model"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
