"""cocotb test of the exported evidence-in core: registers over Wishbone, evidence and results
over AXI-Stream, every winner held to gaba's golden model.

``run.py`` builds the core that ``gaba export`` wrote and runs this test on it; the
environment carries what the export was made with (``CORE_OPTIONS``: the Config options as
JSON) and the run (``TRIALS``, ``SEED``, ``VECTORS``, ``HOLD``). The test:

1. starts a clock on ``clk`` and resets the core;
2. reads INFO (n, the network's kind, noise, widths) and writes HOLD, HORIZON, THETA, STOP
   and SEED with cocotbext-wishbone's ``WishboneMaster``;
3. sends each trial's noisy channel scores (``gaba.golden.evidence.channel_trials``: one
   channel stronger by delta) as one AXI-Stream packet with cocotbext-axi's
   ``AxiStreamSource``: n values a vector, tlast on the last beat;
4. takes one result a trial with ``AxiStreamSink``, prints it and asserts that it equals
   ``gaba.golden.evidence.run_evidence``'s for the same evidence and seed.
"""

from __future__ import annotations

import json
import logging
import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource
from cocotbext.wishbone.driver import WBOp, WishboneMaster

from gaba.golden.config import Config
from gaba.golden.evidence import Registers, channel_trials, run_evidence
from gaba.hdl.core import REGISTERS, core_result_layout, info_word, register_values

# the core's Wishbone ports (wb_*) by cocotbext-wishbone's names for them, as gaba's bench has them
from gaba.sim.benches.core import WISHBONE
from gaba.sim.scoreboard import decode


@cocotb.test()
async def winners(dut):
    """Write the registers, stream the trials, hold every result to the golden model."""
    cfg = Config.paper(**json.loads(os.environ["CORE_OPTIONS"]))
    trials = int(os.environ.get("TRIALS", "6"))
    seed = int(os.environ.get("SEED", "1"))
    vectors = int(os.environ.get("VECTORS", "4"))
    registers = Registers(hold=int(os.environ.get("HOLD", "2")))

    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    await RisingEdge(dut.clk)

    bus = WishboneMaster(dut, "wb", dut.clk, width=32, timeout=16, signals_dict=WISHBONE)
    (info,) = await bus.send_cycle([WBOp(REGISTERS["INFO"])])
    assert int(info.datrd) == info_word(cfg), "the core was exported for another Config"
    written = register_values(cfg, registers, seed)  # SEED last: it restarts the trials
    await bus.send_cycle([WBOp(REGISTERS[name], value) for name, value in written.items()])

    source = AxiStreamSource(
        AxiStreamBus.from_prefix(dut, "s_axis"), dut.clk, dut.rst, byte_size=len(dut.s_axis_tdata)
    )
    sink = AxiStreamSink(
        AxiStreamBus.from_prefix(dut, "m_axis"), dut.clk, dut.rst, byte_size=len(dut.m_axis_tdata)
    )
    for component in (bus, source, sink):
        component.log.setLevel(logging.WARNING)  # no line per frame

    evidence, best = channel_trials(cfg, trials, seed, vectors=vectors)
    want = run_evidence(cfg, evidence, seed, registers=registers)
    for values in evidence:
        source.send_nowait(AxiStreamFrame(tdata=values.ravel().tolist()))
    dut._log.info("trial  stronger  winner  steps  decided  golden winner")
    for j in range(trials):
        frame = await sink.recv()
        got = decode(core_result_layout(cfg), int(frame.tdata[0]))
        row = want.row(j)
        winner = got["winner"] if got["decided"] else -1
        dut._log.info(
            f"{j:5}  {int(best[j]):8}  {winner:6}  {got['steps']:5}  {got['decided']:7}  "
            f"{row['winner']:13}"
        )
        assert (winner, got["steps"], got["decided"]) == (
            row["winner"],
            row["steps"],
            row["decided"],
        ), f"trial {j}: the core gave {got}, the golden model {row}"
        assert got["digest"] == row["state_hash"], f"trial {j}: final state differs"
    (trials_done,) = await bus.send_cycle([WBOp(REGISTERS["TRIALS"])])
    assert int(trials_done.datrd) == trials
    dut._log.info(f"PASS {trials} trials: every winner the golden model's")
