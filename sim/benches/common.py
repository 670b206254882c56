"""What every bench shares: its parameters, its result file, the simulation top's clock.

The runner (:func:`gaba.sim.runner.run_bench`) writes the bench's parameters to the JSON file
named by $GABA_BENCH_PARAMS and reads the bench's result from the file named by
$GABA_BENCH_RESULT. The simulation top generates its clock in HDL with period
:data:`PERIOD_NS` (``gaba.sim.runner.wrapper_text``), so simulated time counts clocks.
"""

from __future__ import annotations

import json
import os

from cocotb.simtime import get_sim_time

__all__ = ["PERIOD_NS", "bench_params", "clock_cycle", "write_result"]

#: Clock period of every simulation top, in ns.
PERIOD_NS = 10


def bench_params() -> dict:
    """The parameters the runner gave this bench run (the Config's fields under ``config``)."""
    with open(os.environ["GABA_BENCH_PARAMS"]) as f:
        return json.load(f)


def write_result(result: dict) -> None:
    """Hand the bench's record to the runner (one JSON object)."""
    with open(os.environ["GABA_BENCH_RESULT"], "w") as f:
        json.dump(result, f)


def clock_cycle() -> int:
    """Clock cycles simulated so far (from time 0, reset included)."""
    return int(get_sim_time("ns") // PERIOD_NS)
