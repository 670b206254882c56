"""Benchmark: one hardware sweep serially and on a local Dask cluster, side by side, and what the
same sweep would take on a larger cluster, from the measured build and run times.

    python benchmarks/distributed_sweep.py [--n 2,4,...,16384] [--lanes 32] [--trials 8]
        [--workers 2] [--estimate-workers 64] [--estimate-trials 100]

It runs ``gaba sweep nwta --target verilator --lanes K`` twice in one run, each from an empty
build cache of its own (so both pay for their Verilator builds): once in one process, once with
``--workers W``. It prints both wall times, their ratio and whether the rows are identical.

The estimate takes the serial run's per-point costs (``costs`` in the sweep's JSON: one build's
seconds and the run's seconds per trial at each n) and schedules the sweep of
``--estimate-trials`` trials per point the way ``gaba sweep --workers N`` splits it: each point
in ceil(2N / points) blocks, submitted block by block (the largest n first within a block),
each task given to the first free worker, and every task building its model (workers
without a shared cache; the worst case). It prints the total work, the longest task and the
resulting wall time, plus the serial golden check the client runs per point, timed here.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gaba.golden import fixed
from gaba.golden.config import Config
from gaba.sim.sweep import lanes_for

GABA = Path(sys.executable).with_name("gaba")


def sweep_json(ns: str, lanes: int, trials: int, workers: int | None) -> tuple[dict, float]:
    """Run the sweep from an empty build cache; its JSON and wall seconds."""
    with tempfile.TemporaryDirectory(prefix="gaba-bench-") as build:
        argv = [str(GABA), "sweep", "nwta", "--target", "verilator", "--n", ns]
        argv += ["--lanes", str(lanes), "--trials", str(trials), "--json", "--quiet"]
        argv += ["--out", str(Path(build) / "out")]
        argv += ["--workers", str(workers)] if workers else []
        start = time.monotonic()
        done = subprocess.run(
            argv, capture_output=True, text=True, env=dict(os.environ, GABA_BUILD_DIR=build)
        )
        wall = time.monotonic() - start
    if done.returncode:
        sys.exit(f"sweep failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout), wall


def schedule(costs: list[dict], trials: int, measured_trials: int, workers: int) -> dict:
    """Wall time of the sweep on ``workers`` from per-point costs (see the module docstring)."""
    per_point = max(1, math.ceil(2 * workers / len(costs)))
    size = math.ceil(trials / min(trials, per_point))
    counts = [min(size, trials - first) for first in range(0, trials, size)]
    tasks = [
        c["build_seconds"] + c["run_seconds"] / measured_trials * k
        for k in counts
        for c in sorted(costs, key=lambda c: -c["n"])
    ]
    free = [0.0] * workers
    for t in tasks:
        heapq.heapreplace(free, free[0] + t)
    return {
        "blocks_per_point": len(counts),
        "tasks": len(tasks),
        "work_seconds": sum(tasks),
        "longest_task_seconds": max(tasks),
        "wall_seconds": max(free),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default=",".join(str(2**k) for k in range(1, 15)))
    ap.add_argument("--lanes", type=int, default=32)
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--estimate-workers", type=int, default=64)
    ap.add_argument("--estimate-trials", type=int, default=100)
    a = ap.parse_args()

    serial, serial_wall = sweep_json(a.n, a.lanes, a.trials, None)
    spread, spread_wall = sweep_json(a.n, a.lanes, a.trials, a.workers)
    same = serial["rows"] == spread["rows"]
    print(f"sweep nwta --target verilator --n {a.n} --lanes {a.lanes} --trials {a.trials}")
    print(f"  serial:               {serial_wall:8.1f} s wall ({serial['tasks']} tasks)")
    print(
        f"  --workers {a.workers}:          {spread_wall:8.1f} s wall ({spread['tasks']} tasks)"
        f"  -> {serial_wall / spread_wall:.2f}x"
    )
    print(
        f"  rows identical: {same}; bit-exact: {serial['identical_to_golden']} / "
        f"{spread['identical_to_golden']}; merged rows = serial golden run: "
        f"{spread['identical_to_serial']}"
    )
    print("  per point (serial run): n, build s, run s per trial")
    for c in serial["costs"]:
        print(f"    {c['n']:>6} {c['build_seconds']:8.1f} {c['run_seconds'] / a.trials:10.3f}")
    est = schedule(serial["costs"], a.estimate_trials, a.trials, a.estimate_workers)
    golden = 0.0
    for c in serial["costs"]:
        cfg = Config.paper(n=c["n"], delta=0.1, lanes=lanes_for(c["n"], a.lanes))
        start = time.monotonic()
        fixed.run_trials(cfg, a.estimate_trials, 1)
        golden += time.monotonic() - start
    one = sum(
        c["build_seconds"] + c["run_seconds"] / a.trials * a.estimate_trials
        for c in serial["costs"]
    )
    print(
        f"estimate, {a.estimate_trials} trials per point on {a.estimate_workers} workers "
        f"(each task builds its model): {est['blocks_per_point']} blocks per point, "
        f"{est['tasks']} tasks, {est['work_seconds']:.0f} s of work, longest task "
        f"{est['longest_task_seconds']:.0f} s -> {est['wall_seconds']:.0f} s scheduled, plus "
        f"{golden:.0f} s of serial golden check here = {est['wall_seconds'] + golden:.0f} s "
        f"(one process: {one:.0f} s of builds and runs, {one / 60:.0f} min)"
    )
    print(json.dumps({"serial_wall": serial_wall, "spread_wall": spread_wall, "estimate": est}))


if __name__ == "__main__":
    main()
