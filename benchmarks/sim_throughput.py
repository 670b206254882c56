"""Benchmark: simulation throughput of the hardware, lockstep against trials mode.

    python benchmarks/sim_throughput.py [--n 16,64] [--simulators verilator,icarus]

For each n and simulator, runs the comparison in both modes (nWTA, paper point, delta = 0.10)
and prints clock cycles per second of simulation (timed inside the bench, build excluded),
whether the run was bit-exact, and the ratio trials / lockstep. Builds are cached; the first
run of a Config pays the build, reported separately.
"""

from __future__ import annotations

import argparse

from gaba.golden.config import Config
from gaba.sim import designs

# trials per measurement: enough cycles for a steady rate, few enough for Icarus
TRIALS = {
    ("verilator", "lockstep"): 4,
    ("verilator", "trials"): 200,
    ("icarus", "lockstep"): 1,
    ("icarus", "trials"): 2,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="16,64")
    ap.add_argument("--simulators", default="verilator,icarus")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    print(
        f"{'sim':<10}{'n':>5}{'mode':>10}{'trials':>8}{'cycles':>10}{'cycles/s':>12}"
        f"{'build s':>9}  bit-exact"
    )
    for sim in args.simulators.split(","):
        for n in (int(v) for v in args.n.split(",")):
            cfg = Config.paper(n=n, delta=0.10)
            rate = {}
            for mode in ("lockstep", "trials"):
                k = TRIALS[(sim, mode)]
                r = designs.get(cfg.kind).compare(cfg, sim, mode, trials=k, seed=args.seed)
                rate[mode] = r.cycles_per_second
                print(
                    f"{sim:<10}{n:>5}{mode:>10}{k:>8}{r.cycles:>10}"
                    f"{r.cycles_per_second:>12.0f}{r.build_seconds:>9.1f}  {r.bit_exact}",
                    flush=True,
                )
            print(
                f"{sim:<10}{n:>5}  trials / lockstep = {rate['trials'] / rate['lockstep']:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
