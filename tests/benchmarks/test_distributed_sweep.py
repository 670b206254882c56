"""benchmarks/distributed_sweep.py: the cluster estimate's schedule, by hand."""

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "distributed_sweep.py"
_spec = importlib.util.spec_from_file_location("benchmarks_distributed_sweep", _PATH)
bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench
_spec.loader.exec_module(bench)


def cost(n, build, run):
    return {"n": n, "build_seconds": build, "run_seconds": run}


def test_schedule_by_hand():
    # two points measured at 10 trials: n = 2 (build 10 s, 1 s a trial), n = 4 (20 s, 2 s)
    costs = [cost(2, 10.0, 10.0), cost(4, 20.0, 20.0)]
    # one worker: ceil(2/2) = 1 block per point: the serial sum of builds and runs
    one = bench.schedule(costs, 10, 10, 1)
    assert one["tasks"] == 2 and one["wall_seconds"] == pytest.approx(10 + 10 + 20 + 20)
    # four workers: 4 blocks per point (of 3, 3, 3, 1 trials), each task building its model;
    # eight tasks, the n = 4 ones first, on the first free of four workers
    four = bench.schedule(costs, 10, 10, 4)
    assert four["blocks_per_point"] == 4 and four["tasks"] == 8
    assert four["work_seconds"] == pytest.approx(4 * 10 + 10 + 4 * 20 + 2 * 10)
    assert four["longest_task_seconds"] == pytest.approx(20 + 2 * 3)
    # in order 26 13 26 13 26 13 | 22 11 (n = 4's blocks of three trials 26 s, n = 2's 13 s,
    # then the one-trial blocks): workers end at 26, 13+26, 26, 13+13 -> the 22 s task starts
    # at 26 and ends at 48, the last
    assert four["wall_seconds"] == pytest.approx(26 + 22)
