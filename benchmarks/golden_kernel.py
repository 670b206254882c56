"""Benchmark: fixed-point golden kernel against the float NumPy reference, side by side.

    python benchmarks/golden_kernel.py [--n 1024] [--repeats 5]

Both models run the same network (nWTA at the paper point, delta = 0.10) in one process; the
figure of merit is neuron-updates per second (sum over trials of steps x n, divided by wall
time). Prints the median of each over the repeats, the fixed kernel on one thread and on all
cores, and the ratios. The machine is shared: read medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numba

from gaba.golden import fixed, reference
from gaba.golden.config import Config


def _timed(run, cfg_or_params, trials, seed) -> float:
    """Neuron-updates per second of one call ``run(cfg_or_params, trials, seed)``."""
    start = time.perf_counter()
    res = run(cfg_or_params, trials, seed)
    seconds = time.perf_counter() - start
    return float(res.steps.sum()) * cfg_or_params.n / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--fixed-trials", type=int, default=256)
    ap.add_argument("--float-trials", type=int, default=32)
    args = ap.parse_args()
    cfg = Config.paper(n=args.n, delta=0.10)
    cores = numba.config.NUMBA_NUM_THREADS
    fixed.run_trials(cfg, 2, seed=1)  # compile (or load from cache) outside the timing

    rows = {"fixed, 1 thread": [], f"fixed, {cores} threads": [], "float NumPy": []}
    for rep in range(args.repeats):
        seed = 100 + rep
        for name, threads in (("fixed, 1 thread", 1), (f"fixed, {cores} threads", cores)):
            numba.set_num_threads(threads)
            res = _timed(fixed.run_trials, cfg, args.fixed_trials, seed)
            rows[name].append(res)
        rows["float NumPy"].append(
            _timed(reference.simulate_float, cfg.params, args.float_trials, seed)
        )

    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"nWTA n={args.n} delta=0.10, {args.repeats} repeats, medians of neuron-updates/s")
    for k, v in med.items():
        spread = f"(min {min(rows[k]):.3g}, max {max(rows[k]):.3g})"
        print(f"  {k:<20} {v:12.4g}  {spread}")
    f_all = med[f"fixed, {cores} threads"]
    print(f"  ratio fixed ({cores} threads) / float NumPy: {f_all / med['float NumPy']:.1f}")
    print(f"  ratio fixed {cores} threads / 1 thread:      {f_all / med['fixed, 1 thread']:.2f}")


if __name__ == "__main__":
    main()
