"""Benchmark: what a Verilator simulation of the folded network costs, beside the parallel one.

    python benchmarks/folded_sim.py [--folded 1024:16,4096:16] [--parallel 1024] [--trials 20]

For each design (nWTA, paper point, delta = 0.10, latency 1; ``n:K`` a folded network of K
lanes, a bare ``n`` the parallel network) it builds the Verilator model of the trial engine
(from scratch: the build directory is removed first, so the build time is real), runs
``--trials`` trials against the golden model, and prints the build time, the simulated
cycles per second and the neuron-updates per second (n times the Euler steps simulated,
over the simulation's seconds), side by side in one run. ``--parallel ''`` leaves the
parallel design out. The parallel debug model (the one the comparison runs) has a state port
of every register, n * 68 bits: at n = 1024 that is beyond Amaranth's 65536-bit limit, and
the benchmark says so; at n = 512 it builds in minutes.
"""

from __future__ import annotations

import argparse
import shutil

from gaba.golden.config import Config
from gaba.sim import designs, runner


def measure(cfg: Config, trials: int, seed: int) -> dict:
    design = designs.get(cfg.kind)
    build_dir = runner.build_directory(design, cfg, "verilator", debug=True, waves=False)
    shutil.rmtree(build_dir, ignore_errors=True)
    r = design.compare(cfg, "verilator", "trials", trials=trials, seed=seed)
    steps = sum(hw["steps"] for hw in r.outputs["results"])
    return {
        "n": cfg.n,
        "lanes": cfg.lanes,
        "bit_exact": r.bit_exact,
        "trials": trials,
        "build_seconds": r.build_seconds,
        "sim_seconds": r.seconds,
        "cycles": r.cycles,
        "cycles_per_second": r.cycles_per_second,
        "neuron_updates_per_second": cfg.n * steps / r.seconds,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folded", default="1024:16,4096:16", help="n:K pairs")
    ap.add_argument("--parallel", default="512,1024", help="n of parallel networks ('' for none)")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    cfgs = []
    for spec in filter(None, args.folded.split(",")):
        n, k = (int(v) for v in spec.split(":"))
        cfgs.append(Config.paper(n=n, lanes=k, latency=1, delta=0.10))
    for spec in filter(None, args.parallel.split(",")):
        cfgs.append(Config.paper(n=int(spec), latency=1, delta=0.10))
    print(
        f"{'design':<18}{'trials':>7}{'build s':>9}{'sim s':>8}{'cycles/s':>12}"
        f"{'neuron-updates/s':>18}  bit-exact",
        flush=True,
    )
    for cfg in cfgs:
        name = f"n={cfg.n} " + ("parallel" if cfg.lanes is None else f"K={cfg.lanes}")
        try:
            row = measure(cfg, args.trials, args.seed)
        except OverflowError as e:  # the parallel debug model's state port, n * 68 bits
            print(f"{name:<18}cannot be generated: {e}", flush=True)
            continue
        print(
            f"{name:<18}{row['trials']:>7}{row['build_seconds']:>9.1f}{row['sim_seconds']:>8.1f}"
            f"{row['cycles_per_second']:>12.0f}{row['neuron_updates_per_second']:>18.3g}"
            f"  {row['bit_exact']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
