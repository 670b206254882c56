"""Formal: the host link's bit-serial CRC (gaba.boards.link.SerialCrc) is
amaranth.lib.crc's byte-wise processor for the protocol's CRC-16, for any byte sequence.

Both take the same ``start``, ``data`` and byte strobes (a byte whenever the serial CRC is not
busy, free in every clock); whenever it is not busy the harness asserts the two CRCs equal,
and that it is never busy more than the 8 clocks of a byte (so the comparisons come).
The request frame check (boards.link.FrameReceiver) compares the frame's CRC bytes with this
CRC. Proven by k-induction (depth 10: a byte takes 9 clocks), for every reachable state. The
companion gives the serial CRC another polynomial.
"""

from __future__ import annotations

from amaranth.hdl import Assert, Assume, Module, Mux, ResetSignal, Signal
from amaranth.lib import crc, wiring
from amaranth.lib.wiring import In

from gaba.boards import protocol as P
from gaba.boards.link import SerialCrc
from gaba.sim.formal import prove


class CrcMiter(wiring.Component):
    def __init__(self, algorithm=P.CRC16.algorithm):
        self.serial = SerialCrc(algorithm)
        self.library = P.CRC16.create()
        super().__init__({"start": In(1), "valid": In(1), "data": In(8)})

    def elaborate(self, platform):
        m = Module()
        m.submodules.serial = serial = self.serial
        m.submodules.library = library = self.library
        m.d.comb += Assume(~ResetSignal())
        byte = self.valid & ~serial.busy & ~self.start
        for c in (serial, library):
            m.d.comb += [c.start.eq(self.start), c.data.eq(self.data), c.valid.eq(byte)]
        with m.If(~serial.busy):
            m.d.comb += Assert(serial.crc == library.crc)
        # the CRCs are compared whenever the serial one is idle: it is busy 8 clocks a byte
        busy_for = Signal(range(10))
        m.d.sync += busy_for.eq(Mux(serial.busy, busy_for + 1, 0))
        m.d.comb += Assert(busy_for <= 8)
        return m


def test_the_serial_crc_is_the_library_crc():
    result = prove(CrcMiter(), "crc", depth=10)  # k-induction: a byte's 9 clocks and one
    assert result.passed, result.describe()


def test_a_crc_of_another_polynomial_fails_the_proof():
    other = crc.Algorithm(
        crc_width=16,
        polynomial=0x8005,
        initial_crc=0xFFFF,
        reflect_input=False,
        reflect_output=False,
        xor_output=0,
    )
    result = prove(CrcMiter(other), "crc-other-polynomial", depth=12, mode="bmc")
    assert result.status == "FAIL", result.describe()
