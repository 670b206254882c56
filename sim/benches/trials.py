"""cocotb bench of any trial engine that runs on its own (run by gaba.sim.runner).

A trial engine has the inputs ``start``, ``seed``, ``first`` and ``count`` (and any others its
design names), and offers one result per trial on the stream ``res``. ``trials`` starts one
run of ``count`` trials and takes every result at once; Python wakes once per result (a
value-change callback on ``res.valid``, which drops between results). Parameters (JSON file
named by $GABA_BENCH_PARAMS): ``seed``, ``first``, ``count``, and ``inputs``: the design's
other run inputs by port name (e.g. the integrators' ``steps``).
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
    for name, value in {
        **p.get("inputs", {}),
        **{k: p[k] for k in ("seed", "first", "count")},
    }.items():
        getattr(dut, name).value = value
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
