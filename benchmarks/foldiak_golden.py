"""Benchmark: Földiák layer, fixed-point golden kernel against the float reference, side by side.

    python benchmarks/foldiak_golden.py [--runs 25] [--repeats 5] [--hardware]

The figure of merit is presentations per second (one presentation: settle, then learn),
summed over runs: runs x (pre-run + training presentations) / wall time. The fixed kernel
(hardware settling: 64 steps) runs on one thread and on all cores; the float reference
(NumPy, vectorised over runs) with the reference's settling (logistic, 100 steps) and with the
hardware's. With ``--hardware`` also the generated layer on Verilator: one run of the pre-run
and 3000 presentations per repeat, timed inside the cocotb bench (INIT and training; the build
is cached and excluded), every run also checked bit-exact against the golden model. Medians over
the repeats; the machine may be shared, so read medians and ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numba

from gaba.golden.foldiak import fixed as fk
from gaba.golden.foldiak import reference as fr
from gaba.golden.foldiak.config import FoldiakConfig, FoldiakParams


def _rate(train, model, runs, presentations, seed) -> float:
    start = time.perf_counter()
    res = train(model, runs, presentations, seed)
    seconds = time.perf_counter() - start
    return runs * (res.pre_presentations + presentations) / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--fixed-presentations", type=int, default=3000)
    ap.add_argument("--float-presentations", type=int, default=400)
    ap.add_argument("--hardware", action="store_true", help="also the layer on Verilator")
    args = ap.parse_args()
    cfg = FoldiakConfig.paper()
    cores = numba.config.NUMBA_NUM_THREADS
    fk.train(cfg, 2, 10, seed=1)  # compile (or load from the cache) outside the timing

    rows = {
        "fixed, 1 thread": [],
        f"fixed, {cores} threads": [],
        "float, reference settling": [],
        "float, hardware settling": [],
    }
    for rep in range(args.repeats):
        seed = 100 + rep
        for threads in (1, cores):
            numba.set_num_threads(threads)
            name = "fixed, 1 thread" if threads == 1 else f"fixed, {cores} threads"
            rows[name].append(_rate(fk.train, cfg, args.runs, args.fixed_presentations, seed))
        for name, params in (
            ("float, reference settling", fr.PAPER),
            ("float, hardware settling", FoldiakParams()),
        ):
            rows[name].append(_rate(fr.train, params, args.runs, args.float_presentations, seed))

    if args.hardware:
        from gaba.sim.designs.foldiak import FOLDIAK

        total = cfg.pre_presentations + args.fixed_presentations
        FOLDIAK.compare(cfg, "verilator", "run", presentations=total)  # build outside timing
        rows["verilator (1 run)"] = []
        for rep in range(args.repeats):
            r = FOLDIAK.compare(cfg, "verilator", "run", presentations=total, seed=100 + rep)
            assert r.bit_exact, r.first_mismatch.describe()
            rows["verilator (1 run)"].append(total / r.summary["train_seconds"])

    med = {k: statistics.median(v) for k, v in rows.items()}
    print(
        f"Foldiak layer m=64 n=16, {args.runs} runs, {args.repeats} repeats, "
        "medians of presentations/s"
    )
    for k, v in med.items():
        spread = f"(min {min(rows[k]):.3g}, max {max(rows[k]):.3g})"
        print(f"  {k:<28} {v:12.4g}  {spread}")
    f_all = med[f"fixed, {cores} threads"]
    print(f"  ratio fixed ({cores} threads) / float (reference): "
          f"{f_all / med['float, reference settling']:.1f}")  # fmt: skip
    print(f"  ratio fixed {cores} threads / 1 thread: {f_all / med['fixed, 1 thread']:.2f}")
    if args.hardware:
        hw = med["verilator (1 run)"]
        print(f"  ratio fixed (1 thread) / verilator: {med['fixed, 1 thread'] / hw:.0f}")


if __name__ == "__main__":
    main()
