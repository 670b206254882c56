"""Test tiers: ``sim`` on every test that builds or runs a simulator; ``formal`` on every proof
(tests/formal/); ``slow`` and ``synth`` left out unless asked for.

:data:`SIM_MODULES` names the test modules whose tests build or run Verilator or Icarus; the
marker is applied to their tests here, once. A guard makes the marker honest: a test without
it that reaches a simulator (``gaba.sim.runner.check_simulator``, which every build and the
simulated board call first) fails, so ``pytest -m "not sim"`` never starts one.

The long tiers (:data:`ON_REQUEST`: sweeps, statistics and long proofs, bitstream builds) are
deselected here rather than by an ``-m`` in the configuration, so that any ``-m`` of the
command line (``-m "not sim"``) still leaves them out; a ``-m`` that names one (``-m synth``,
``-m "slow or not slow"``) selects it as written, and ``-m formal`` selects every proof, the
slow ones too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gaba.sim import runner

#: Test modules (relative to tests/) that build or run a simulator.
SIM_MODULES = frozenset(
    {
        "boards/test_host.py",
        "boards/test_hostile_link.py",
        "boards/tops/test_foldiak.py",
        "boards/tops/test_score.py",
        "cli/test_board.py",
        "cli/test_compare.py",
        "cli/test_demo.py",
        "cli/test_foldiak.py",
        "cli/test_htm.py",
        "cli/test_maass.py",
        "sim/designs/test_argmax.py",
        "sim/designs/test_baselines.py",
        "sim/designs/test_core.py",
        "sim/designs/test_foldiak.py",
        "sim/designs/test_htm.py",
        "sim/designs/test_fuzz_nwta.py",
        "sim/designs/test_kwta.py",
        "sim/designs/test_maass.py",
        "sim/designs/test_nwta.py",
        "sim/test_pool.py",
        "sim/test_runner.py",
        "sim/test_sweep.py",
    }
)

#: Markers whose tests run only when a -m expression names them.
ON_REQUEST = ("slow", "synth")

#: Every test under this folder is a formal proof (marker ``formal``): the fast ones run by
#: default, the long ones carry ``slow`` as well; ``-m formal`` runs them all.
FORMAL = "formal/"

_HERE = Path(__file__).resolve().parent
_running = {"sim": True}  # whether the test being set up or run carries the marker


def pytest_collection_modifyitems(config, items):
    for item in items:
        where = Path(item.path).resolve().relative_to(_HERE).as_posix()
        if where in SIM_MODULES:
            item.add_marker(pytest.mark.sim)
        if where.startswith(FORMAL):
            item.add_marker(pytest.mark.formal)
    # simulator tests first (stable otherwise): their builds are the long poles, and the many
    # short tests then fill the workers' gaps instead of leaving one worker idle at the end
    items.sort(key=lambda item: item.get_closest_marker("sim") is None)
    asked = config.getoption("markexpr") or ""
    left_out = [m for m in ON_REQUEST if m not in asked]
    keep, drop = [], []
    proofs = "formal" in asked  # -m formal: every proof, the long ones too
    for item in items:
        held = any(item.get_closest_marker(m) for m in left_out)
        (drop if held and not (proofs and item.get_closest_marker("formal")) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_runtest_setup(item):
    _running["sim"] = item.get_closest_marker("sim") is not None


#: Set (unless the environment sets them) for a run over several xdist workers, which then
#: keep every core busy by themselves: OpenBLAS (numpy, scipy, scikit-learn) on one thread,
#: and the OpenMP threads of numba's parallel kernels sleeping when idle rather than spinning.
#: Threads that spin while another worker waits for the core (the read-outs' logistic
#: regressions) cost the golden and CLI tests about 40 % more CPU; the parallel kernels still
#: run on every core.
WORKER_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_WAIT_POLICY": "passive"}


def pytest_configure(config):
    if (getattr(config.option, "numprocesses", None) or 0) > 1:  # before xdist starts them
        for name, value in WORKER_THREADS.items():
            os.environ.setdefault(name, value)
    check = runner.check_simulator

    def guarded(simulator):
        if not _running["sim"]:
            pytest.fail(
                f"this test starts {simulator} but is not marked sim: add its module to "
                "SIM_MODULES in tests/conftest.py"
            )
        return check(simulator)

    runner.check_simulator = guarded
