"""cocotb benches of the nWTA trial engine (run inside the simulator by gaba.sim.runner).

The benches are monitors only: they drive the engine's run inputs, record what the hardware
does, and write it to a JSON file; the comparison with the golden model happens on the host
(the design's scoreboard, gaba.sim.designs.nwta), one scoreboard for both simulators and the
boards.

- ``lockstep``: reads the network's full state (the debug ``state`` port) at every step and
  records each step of each trial with its clock cycle. The folded network (``lanes``) has no
  such port: its engine holds each pass back (``hold``) while the bench reads every neuron
  through the ``peek`` port.
- ``trials``: lets the engine run on its own; Python wakes only when a result appears (one
  value-change callback per trial), so the simulator runs at full speed.

Parameters come from the JSON file named by $GABA_BENCH_PARAMS: ``seed``, ``first``, ``count``,
optional ``tops`` (host-chosen top-input options, one per trial) and ``delta_q`` (host gap),
and for lockstep ``max_cycles``.
"""

from __future__ import annotations

import time

import cocotb
from cocotb.simtime import get_sim_time
from cocotb.triggers import ClockCycles, NextTimeStep, ReadOnly, RisingEdge

from gaba.sim.benches.common import PERIOD_NS, bench_params, clock_cycle, write_result


class TB:
    """Clock, reset and run control of the trial engine."""

    def __init__(self, dut, params: dict):
        self.dut, self.p = dut, params
        self.tops = params.get("tops")

    async def reset(self):
        dut = self.dut  # the simulation top generates the clock itself
        dut.rst.value = 1
        dut.start.value = 0
        dut.res__ready.value = 0
        dut.top_en.value = 1 if self.tops is not None else 0
        dut.top_in.value = self.tops[0] if self.tops else 0
        delta = self.p.get("delta_q")
        dut.delta_en.value = 1 if delta is not None else 0
        dut.delta_in.value = delta or 0
        if self.p["config"].get("lanes") is not None:  # the folded network's debug inputs
            dut.hold.value = 0
            dut.peek_addr.value = 0
        await ClockCycles(dut.clk, 2)
        dut.rst.value = 0
        # results are taken at once, unless the host must set the next trial's top first
        dut.res__ready.value = 0 if self.tops is not None else 1
        await RisingEdge(dut.clk)

    async def start(self):
        dut = self.dut
        dut.seed.value = self.p["seed"]
        dut.first.value = self.p["first"]
        dut.count.value = self.p["count"]
        dut.start.value = 1
        await RisingEdge(dut.clk)
        dut.start.value = 0

    async def accept(self, trial: int):
        """Complete the result handshake of ``trial`` when the host chooses tops."""
        dut = self.dut
        await RisingEdge(dut.clk)  # leave the read-only phase at the next edge
        if trial + 1 < len(self.tops):
            dut.top_in.value = self.tops[trial + 1]
        dut.res__ready.value = 1
        await RisingEdge(dut.clk)
        dut.res__ready.value = 0


async def peek_state(dut, n: int) -> dict:
    """The folded network's state after the step just taken (the engine holds the next pass
    back meanwhile): S(t - L), the sticky flags, and every neuron's registers through the
    ``peek`` port, one a clock (raw words, decoded on the host). Called in the read-only
    phase of the step's ``in_run`` clock; returns in the read-only phase of the clock that
    showed the last neuron."""
    state = {
        "s_inh": int(dut.s_inh.value),
        "eta_sat": int(dut.eta_sat.value),
        "r_sat": int(dut.r_sat.value),
        "peek": [],
    }
    for i in range(n):
        await NextTimeStep()
        dut.peek_addr.value = i
        await RisingEdge(dut.clk)
        await ReadOnly()
        state["peek"].append(format(int(dut.peek.value), "x"))
    return state


async def lockstep_folded(dut, tb: TB, p: dict) -> None:
    """Lockstep of the folded network: at each step's ``in_run`` the bench reads the state
    through ``peek`` while ``hold`` keeps the next pass back, then lets one pass start.
    Rows are [trial, cycle, steps, state] with the state a dict (see :func:`peek_state`)."""
    n = p["config"]["n"]
    dut.hold.value = 1
    dut.res__ready.value = 0  # results wait for the bench: it may be peeking when one comes
    await tb.start()
    rows, results = [], []
    trial = 0
    start = time.perf_counter()
    while trial < p["count"] and clock_cycle() < p["max_cycles"]:
        await RisingEdge(dut.clk)
        await ReadOnly()
        if int(dut.res__valid.value):
            results.append(format(int(dut.res__payload.value), "x"))
            await NextTimeStep()
            if tb.tops is not None and trial + 1 < len(tb.tops):
                dut.top_in.value = tb.tops[trial + 1]
            dut.res__ready.value = 1
            await RisingEdge(dut.clk)
            await NextTimeStep()
            dut.res__ready.value = 0
            trial += 1
            continue
        if not int(dut.in_run.value):
            continue
        cycle, steps = clock_cycle(), int(dut.steps.value)
        rows.append([trial, cycle, steps, await peek_state(dut, n)])
        await NextTimeStep()
        dut.hold.value = 0  # one pass, unless the trial ended with this state
        for _ in range(64):  # a pass starts within two clocks, a result within a few
            await RisingEdge(dut.clk)
            await ReadOnly()
            if int(dut.started.value) or int(dut.res__valid.value):
                break
        else:
            raise RuntimeError(f"no pass started after the step {steps} of trial {trial}")
        await NextTimeStep()
        dut.hold.value = 1
    write_result(
        {
            "rows": rows,
            "results": results,
            "cycles": clock_cycle(),
            "seconds": time.perf_counter() - start,
        }
    )


@cocotb.test()
async def lockstep(dut):
    """Record the full state after every step of ``count`` trials."""
    p = bench_params()
    tb = TB(dut, p)
    await tb.reset()
    if p["config"].get("lanes") is not None:
        await lockstep_folded(dut, tb, p)
        return
    await tb.start()
    rows, results = [], []
    cycle, trial = 0, 0
    start = time.perf_counter()
    while trial < p["count"] and cycle < p["max_cycles"]:
        await RisingEdge(dut.clk)
        await ReadOnly()
        cycle += 1
        if int(dut.in_run.value):
            rows.append([trial, cycle, int(dut.steps.value), format(int(dut.state.value), "x")])
        if int(dut.res__valid.value):
            results.append(format(int(dut.res__payload.value), "x"))
            if tb.tops is not None:
                await tb.accept(trial)
                cycle += 2
            trial += 1
    write_result(
        {"rows": rows, "results": results, "cycles": cycle, "seconds": time.perf_counter() - start}
    )


@cocotb.test()
async def trials(dut):
    """Run ``count`` trials at full speed and collect one result each."""
    p = bench_params()
    tb = TB(dut, p)
    await tb.reset()
    begin = get_sim_time("ns")
    start = time.perf_counter()
    await tb.start()
    results = []
    for j in range(p["count"]):
        await RisingEdge(dut.res__valid)
        await ReadOnly()
        results.append(format(int(dut.res__payload.value), "x"))
        if tb.tops is not None:
            await tb.accept(j)
    seconds = time.perf_counter() - start
    cycles = (get_sim_time("ns") - begin) / PERIOD_NS
    write_result({"results": results, "cycles": cycles, "seconds": seconds})
