"""Sweeps split into tasks and run on a Dask cluster: a real scheduler and two real workers
(``dask scheduler`` and ``dask worker`` processes on the loopback address), rows identical to
a serial run, and the errors a user meets when the cluster cannot do the work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from gaba.sim import pool
from gaba.sim.pool import Pool, PoolError, blocks, open_pool
from gaba.sim.sweep import sweep

DASK = Path(sys.executable).with_name("dask")


def test_blocks_cover_the_run_in_order():
    assert blocks(10, 4) == [(0, 4), (4, 4), (8, 2)]
    assert blocks(3, 5) == [(0, 3)]
    with pytest.raises(ValueError, match="Block size must be at least 1, not 0"):
        blocks(3, 0)


def test_open_pool_takes_one_place():
    assert type(open_pool()) is Pool and open_pool().where == "this process"
    with pytest.raises(ValueError, match="scheduler address or a worker count, not both"):
        open_pool("tcp://127.0.0.1:1", 2)


def _rows(result):
    return [r.__dict__ for r in result.rows]


def test_golden_blocks_join_into_the_serial_rows():
    whole = sweep("nwta", [3, 12], delta=[0.05, 0.2], trials=45, seed=8)
    split = sweep("nwta", [3, 12], delta=[0.05, 0.2], trials=45, seed=8, block=7)
    assert split.tasks == 4 * 7 and whole.tasks == 4
    assert _rows(split) == _rows(whole)


class Reordered(Pool):
    """A pool that hands the blocks back in the wrong order (a broken merge)."""

    def run(self, tasks, **kw):
        values = super().run(tasks, **kw)
        return values[1:] + values[:1]


def test_blocks_merged_out_of_order_fail_the_serial_check():
    # companion of the serial check the cluster test passes: blocks merged out of order keep
    # hardware and golden rows equal to each other, and only the serial check can see it.
    # n = 16 at delta 0.1 and 0.2: the demo's build (the second gap through the host input)
    bad = sweep(
        "nwta", [16], target="verilator", delta=[0.1, 0.2], trials=6, seed=6, block=3,
        pool=Reordered(),
    )  # fmt: skip
    assert bad.identical and bad.serial_identical is False
    assert "merged rows differ from a serial run" in bad.notes[0]


def _bare_env() -> dict:
    """This environment with PATH holding only the virtual environment's commands: no
    simulator, no compiler."""
    return dict(os.environ, PATH=str(Path(sys.executable).parent))


@contextmanager
def cluster(tmp_path: Path, workers: int, *, env: dict | None = None):
    """A ``dask scheduler`` on a free loopback port and ``workers`` ``dask worker`` processes
    (one thread each, no nanny), started here and killed after; yields the scheduler's address."""
    info = tmp_path / "scheduler.json"
    common = ["--no-dashboard"]
    logs = []
    procs = []

    def start(args, e=None):
        log = open(tmp_path / f"dask-{len(procs)}.log", "w")
        logs.append(log)
        procs.append(subprocess.Popen([str(DASK), *args], stdout=log, stderr=log, env=e))

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(info)])
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        for k in range(workers):
            start(
                ["worker", address, "--nthreads", "1", "--no-nanny", "--name", f"w{k}", *common],
                env,
            )
        from distributed import Client

        with Client(address, timeout=30) as c:
            c.wait_for_workers(workers, timeout=60)
        yield address
    finally:
        for p in procs:  # single processes (no nanny): nothing is left behind
            p.kill()
            p.wait()
        for log in logs:
            log.close()


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    """The address of a scheduler with two workers, shared by this module's tests."""
    with cluster(tmp_path_factory.mktemp("dask"), 2) as address:
        yield address


def test_hardware_sweep_on_a_scheduler_and_two_workers(two_workers):
    # n = 16 at delta 0.1 and 0.2: the demo's build (the second gap through the host input)
    grid = dict(delta=[0.1, 0.2], trials=24, seed=5)
    serial = sweep("nwta", [16], **grid)  # the golden model, here
    said = []
    address = two_workers
    with open_pool(scheduler=address) as where:
        assert where.slots == 2 and where.where == f"the Dask scheduler at {address}"
        golden = sweep("nwta", [16], **grid, pool=where)
        result = sweep("nwta", [16], target="verilator", **grid, pool=where, progress=said.append)
    assert result.identical and result.serial_identical and result.mismatches == 0
    # the hardware's rows and the golden target's, both as the serial golden sweep's
    assert _rows(result) == _rows(serial) and _rows(golden) == _rows(serial)
    assert result.tasks == 4  # two points, each split in two so that both workers get work
    workers = {line.rsplit(" on ", 1)[1] for line in said if "tasks done" in line}
    assert len(workers) == 2  # both workers ran tasks
    assert said[-1].startswith("4/4 tasks done (48/48 trials")


def test_a_worker_without_the_simulator_is_named(tmp_path):
    with cluster(tmp_path, 1, env=_bare_env()) as address:
        with open_pool(scheduler=address) as where, pytest.raises(PoolError) as e:
            sweep("nwta", [16], target="icarus", trials=4, pool=where)
    assert str(e.value).startswith("Dask worker tcp://127.0.0.1:")
    assert "cannot run icarus: Icarus Verilog not found (iverilog, vvp missing)" in str(e.value)


def test_an_unreachable_scheduler_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(pool, "CONNECT_SECONDS", 1)
    with pytest.raises(PoolError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        open_pool(scheduler="tcp://127.0.0.1:9")


def test_bars_on_the_hardware_run_by_run_on_two_workers(two_workers):
    from gaba.golden.foldiak.experiments import run_bars
    from gaba.sim.designs.foldiak import FOLDIAK

    # the layer of tests/sim/designs/test_foldiak.py (a pre-run of 3 presentations, 8 settling
    # steps: the paper's 64 inputs and 16 units), 30 presentations after the pre-run
    cfg = FOLDIAK.config().replace(pre_presentations=3, settle_steps=8)
    with open_pool(scheduler=two_workers) as where:
        outcome, hardware = FOLDIAK.bars(cfg, 2, 30, seed=3, snapshot_every=10, pool=where)
    assert hardware["bit_exact"] and hardware["values_compared"] > 10_000
    # the golden model's two runs, in one call here
    golden = run_bars("fixed", 2, 30, 3, snapshot_every=10, config=cfg)
    assert np.array_equal(outcome.learned.q, golden.learned.q)
    assert np.array_equal(outcome.represented, golden.represented)
    assert np.array_equal(outcome.curve, golden.curve)
