"""cocotb bench of the exported evidence-in core (``gaba.hdl.core.AxiStreamCore``).

Verification components from maintained libraries drive every port: cocotbext-wishbone's
``WishboneMaster`` writes and reads the register file, cocotbext-axi's ``AxiStreamSource``
sends each trial's evidence as one AXI-Stream packet (n values a vector, tlast on the last
beat) and ``AxiStreamSink`` takes one result a packet; both streams stall at random (pause
generators, seeded). Parameters ($GABA_BENCH_PARAMS): ``trials`` (each trial's values, vector
after vector), ``registers`` (name -> value, SEED written last), ``pause_in`` and ``pause_out``
(the probability of a stalled clock on each side), ``pace`` (their seed) and ``step_clocks``
(the core's clocks a step, for the hang bound). The result: the registers read back, each
result word in hex, cycles and seconds.
"""

from __future__ import annotations

import logging
import random
import time

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge, SimTimeoutError, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource
from cocotbext.wishbone.driver import WBOp, WishboneMaster

from gaba.hdl.core import REGISTERS
from gaba.sim.benches.common import PERIOD_NS, bench_params, clock_cycle, write_result

#: The core's Wishbone ports by the driver's signal names.
WISHBONE = {
    "cyc": "cyc",
    "stb": "stb",
    "we": "we",
    "adr": "adr",
    "datwr": "dat_w",
    "datrd": "dat_r",
    "ack": "ack",
    "sel": "sel",
}


def pauses(probability: float, rng: random.Random):
    """A pause generator: True (stall this clock) with ``probability``."""
    while True:
        yield rng.random() < probability


@cocotb.test()
async def evidence(dut):
    """Set the registers, stream every trial's evidence in, take every result."""
    p = bench_params()
    for port in ("s_axis_tvalid", "m_axis_tready", "wb_cyc", "wb_stb"):
        getattr(dut, port).value = 0  # defined through reset (the drivers start after it)
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    await RisingEdge(dut.clk)
    bus = WishboneMaster(dut, "wb", dut.clk, width=32, timeout=16, signals_dict=WISHBONE)
    order = sorted(p["registers"], key=lambda name: name == "SEED")
    writes = [WBOp(REGISTERS[name], p["registers"][name]) for name in order]
    await bus.send_cycle(writes)
    reads = await bus.send_cycle([WBOp(word) for word in REGISTERS.values()])
    readback = {name: int(r.datrd) for name, r in zip(REGISTERS, reads, strict=True)}

    pace = random.Random(p["pace"])
    source = AxiStreamSource(
        AxiStreamBus.from_prefix(dut, "s_axis"), dut.clk, dut.rst, byte_size=len(dut.s_axis_tdata)
    )
    sink = AxiStreamSink(
        AxiStreamBus.from_prefix(dut, "m_axis"), dut.clk, dut.rst, byte_size=len(dut.m_axis_tdata)
    )
    for component in (source, sink, bus):
        component.log.setLevel(logging.WARNING)  # no line per frame
    source.set_pause_generator(pauses(p["pause_in"], pace))
    sink.set_pause_generator(pauses(p["pause_out"], pace))
    begin, start = clock_cycle(), time.perf_counter()
    for values in p["trials"]:
        source.send_nowait(AxiStreamFrame(tdata=values))
    results = []
    for values in p["trials"]:
        # a hang ends the run: no result within far more clocks than a trial can take
        bound = 50 * (p["step_clocks"] * p["registers"]["HORIZON"] + 200 + len(values))
        bound *= PERIOD_NS
        try:
            frame = await with_timeout(sink.recv(compact=False), bound, "ns")
        except SimTimeoutError:
            break
        results.extend(format(int(word), "x") for word in frame.tdata)
    cycles, seconds = clock_cycle() - begin, time.perf_counter() - start
    ends = await bus.send_cycle([WBOp(REGISTERS[name]) for name in ("STATUS", "TRIALS")])
    write_result(
        {
            "readback": readback,
            "end": {"STATUS": int(ends[0].datrd), "TRIALS": int(ends[1].datrd)},
            "results": results,
            "cycles": cycles,
            "seconds": seconds,
        }
    )
