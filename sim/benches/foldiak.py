"""cocotb bench of the Földiák layer (run inside the simulator by gaba.sim.runner).

A monitor only, like gaba.sim.benches.nwta: it drives the layer's commands, records the results
and the read-back state with their clock cycles, and writes them to a JSON file; the
comparison with the golden model happens on the host (the layer's scoreboard,
gaba.sim.designs.foldiak).

One test, ``run``: CMD_INIT for (seed, run), then the training presentations and then the
test patterns. With ``lockstep`` each presentation is its own command and the whole state
(q, w, t) is read back after it; otherwise the layer presents them all by itself and Python
wakes once per presentation to take its result (one value-change callback, about 1300 clocks
apart), and the state is read back at the start and the end.

Parameters (JSON file named by $GABA_BENCH_PARAMS): ``seed``, ``run``, ``presentations``
(training, the pre-run included), ``tests`` (test patterns), ``lockstep``, and optionally
``chunks``: the training split into commands of these sizes, the state read back after each
(snapshots for learning curves).
"""

from __future__ import annotations

import os
import time

import cocotb
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly, RisingEdge

from gaba.sim.benches.common import bench_params, clock_cycle, write_result

CMD_INIT, CMD_TRAIN, CMD_TEST = 0, 1, 2  # gaba.hdl.foldiak
READ_Q, READ_W, READ_T = 0, 1, 2


class TB:
    def __init__(self, dut, params: dict):
        self.dut, self.p = dut, params
        self.m, self.n = params["config"]["m"], params["config"]["n"]

    async def reset(self):
        dut = self.dut
        dut.rst.value = 1
        dut.start.value = 0
        dut.res__ready.value = 1  # results are taken at once
        dut.rd_sel.value = 0
        dut.rd_addr.value = 0
        await ClockCycles(dut.clk, 2)
        dut.rst.value = 0
        await RisingEdge(dut.clk)

    async def command(self, cmd: int, count: int = 0):
        dut = self.dut
        dut.cmd.value = cmd
        dut.seed.value = self.p["seed"]
        dut.run.value = self.p["run"]
        dut.count.value = count
        dut.start.value = 1
        await RisingEdge(dut.clk)
        dut.start.value = 0

    async def results(self, count: int) -> list:
        """Take ``count`` results (ready is held high); each with its clock cycle."""
        dut, out = self.dut, []
        for _ in range(count):
            await RisingEdge(dut.res__valid)
            await ReadOnly()
            out.append([format(int(dut.res__payload.value), "x"), clock_cycle()])
            await RisingEdge(dut.clk)
        return out

    async def idle(self):
        dut = self.dut
        await ReadOnly()
        while int(dut.busy.value):
            await RisingEdge(dut.clk)
            await ReadOnly()
        await RisingEdge(dut.clk)

    async def readback(self) -> dict:
        """q rows, w rows and t as hex words (the layer's read-back port), and the flags."""
        dut = self.dut
        rows = {"q": [], "w": []}
        reads = [("q", READ_Q, j) for j in range(self.m)] + [
            ("w", READ_W, j) for j in range(self.n)
        ]
        reads.append(("t", READ_T, 0))
        out = {"cycle": clock_cycle()}
        for name, sel, addr in reads:
            dut.rd_sel.value = sel
            dut.rd_addr.value = addr
            await RisingEdge(dut.clk)
            await ReadOnly()
            word = format(int(dut.rd_data.value), "x")
            if name == "t":
                out["t"] = word
            else:
                rows[name].append(word)
            await FallingEdge(dut.clk)  # out of the read-only phase, before the next edge
        out.update(rows)
        out["w_sat"], out["t_sat"] = int(dut.w_sat.value), int(dut.t_sat.value)
        out["presentations"] = int(dut.presentations.value)
        return out


@cocotb.test()
async def run(dut):
    """INIT, the training presentations, then the test patterns (see the module docstring)."""
    p = bench_params()
    tb = TB(dut, p)
    await tb.reset()
    start = time.perf_counter()
    await tb.command(CMD_INIT)
    await tb.idle()
    states = [await tb.readback()]
    train = []
    if p["lockstep"]:
        for _ in range(p["presentations"]):
            await tb.command(CMD_TRAIN, 1)
            train += await tb.results(1)
            await tb.idle()
            states.append(await tb.readback())
    else:
        for chunk in p.get("chunks") or ([p["presentations"]] if p["presentations"] else []):
            await tb.command(CMD_TRAIN, chunk)
            train += await tb.results(chunk)
            await tb.idle()
            states.append(await tb.readback())
    train_cycles = clock_cycle()
    train_seconds = time.perf_counter() - start
    test = []
    if p["tests"]:
        await tb.command(CMD_TEST, p["tests"])
        test = await tb.results(p["tests"])
        await tb.idle()
    write_result(
        {
            "states": states,
            "train": train,
            "test": test,
            "cycles": clock_cycle(),
            "train_cycles": train_cycles,
            "train_seconds": train_seconds,
            "seconds": time.perf_counter() - start,
            "pid": os.getpid(),
        }
    )
