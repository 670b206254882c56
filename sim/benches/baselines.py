"""cocotb bench of the integrator baselines (gaba.hdl.baselines), run by gaba.sim.runner.

``trials``: the circuit runs ``count`` trials of ``steps`` integration steps by itself; Python
wakes once per result (a value-change callback on ``res.valid``) and records it with its clock
cycle. Parameters (JSON file named by $GABA_BENCH_PARAMS): ``seed``, ``first``, ``count``,
``steps``.
"""

from __future__ import annotations

import time

import cocotb
from cocotb.simtime import get_sim_time
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

from gaba.sim.benches.common import PERIOD_NS, bench_params, write_result


@cocotb.test()
async def trials(dut):
    """Run the trials at full speed and collect one result each."""
    p = bench_params()
    dut.rst.value = 1
    dut.start.value = 0
    dut.res__ready.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    await RisingEdge(dut.clk)
    for name in ("seed", "first", "count", "steps"):
        getattr(dut, name).value = p[name]
    begin = get_sim_time("ns")
    start = time.perf_counter()
    dut.start.value = 1
    await RisingEdge(dut.clk)
    dut.start.value = 0
    results = []
    for _ in range(p["count"]):
        await RisingEdge(dut.res__valid)
        await ReadOnly()
        results.append(format(int(dut.res__payload.value), "x"))
        await RisingEdge(dut.clk)
    write_result(
        {
            "results": results,
            "cycles": (get_sim_time("ns") - begin) / PERIOD_NS,
            "seconds": time.perf_counter() - start,
        }
    )
