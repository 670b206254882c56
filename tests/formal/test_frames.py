"""Formal: the host link's request-frame receiver (gaba.boards.link.FrameReceiver) judges every
frame as the protocol defines it, for any byte sequence.

The UART's bytes are free in every clock (``valid`` and the byte; the receiver's ``ready``
paces them) and so is ``take``. The harness follows the protocol (boards.protocol: SYNC, LEN,
KIND, LEN payload bytes, the CRC-16 of LEN, KIND and payload, high byte first) with its own
counters and amaranth.lib.crc's byte-wise processor, and asserts in every clock that the
receiver holds a verdict exactly when a frame has ended, and that it is the protocol's:

- the frame's last byte came: ``E_CRC`` if the CRC bytes are not the CRC, else ``E_LENGTH``
  if LEN exceeds the payload the receiver buffers, else 0 with LEN, KIND and the payload;
- a frame stopped arriving (no byte for ``timeout`` clocks): ``E_TIMEOUT``.

Bounded: every byte sequence of 41 clocks from reset, with a 1-byte buffer and a timeout of
12 clocks. A byte the CRC takes holds the next one off for 9 clocks, so within 41 clocks the
receiver holds (at clock 31) a frame without payload, good or not, or (40) one with a payload
byte, stored and checked, or a frame truncated anywhere before (E_TIMEOUT). A frame longer
than the buffer (E_LENGTH, two payload bytes: clock 49) is beyond the bound: at depth 50 the
solver took minutes a step past 42 (the hostile-input tests check its reply). The harness asks
of the byte source only a clock between two bytes (a UART's are 40 or more apart). The
companion builds the receiver with a timeout one clock longer: it fails the proof.
"""

from __future__ import annotations

import pytest
from amaranth.hdl import Assert, Assume, Module, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from gaba.boards import protocol as P
from gaba.boards.link import FrameReceiver
from gaba.sim.formal import prove

MAX, TIMEOUT = 1, 12


class FrameHarness(wiring.Component):
    def __init__(self, receiver=None):
        self.rx = receiver or FrameReceiver(MAX, TIMEOUT)
        super().__init__({"valid": In(1), "byte": In(8), "take": In(1)})

    def elaborate(self, platform):
        m = Module()
        m.submodules.rx = rx = self.rx
        m.submodules.crc = crc = P.CRC16.create()
        m.d.comb += Assume(~ResetSignal())
        m.d.comb += [rx.i.valid.eq(self.valid), rx.i.payload.eq(self.byte), rx.take.eq(self.take)]
        got = self.valid & rx.i.ready  # a byte handed over
        # a UART delivers a character at most every 10 bit times (the receiver counts on 40
        # clocks); the proof asks only for a clock between two bytes
        after = Signal()
        m.d.sync += after.eq(got)
        m.d.comb += Assume(~(self.valid & after))

        # the protocol's view: in a frame, bytes after SYNC, LEN, the CRC bytes, idle clocks
        framing, held = Signal(), Signal()
        pos = Signal(range(5 + 255 + 1))  # bytes of the frame after SYNC
        length, kind, crc_hi = Signal(8), Signal(8), Signal(8)
        body = [Signal(8, name=f"body{k}") for k in range(MAX)]
        idle = Signal(range(TIMEOUT + 1))
        verdict = Signal(8)
        ended = Signal()  # the frame's last byte came in the previous clock
        m.d.sync += ended.eq(0)
        m.d.comb += [crc.data.eq(self.byte), crc.start.eq(got & ~framing & ~held)]
        with m.If(held):
            with m.If(self.take):
                m.d.sync += held.eq(0)
        with m.Elif(~framing):
            with m.If(got & (self.byte == P.SYNC_REQUEST)):
                m.d.sync += [framing.eq(1), pos.eq(0), idle.eq(0)]
        with m.Elif(got):
            m.d.sync += [pos.eq(pos + 1), idle.eq(0)]
            with m.If(pos == 0):
                m.d.sync += length.eq(self.byte)
            with m.If(pos == 1):
                m.d.sync += kind.eq(self.byte)
            for k in range(MAX):
                with m.If(pos == 2 + k):
                    m.d.sync += body[k].eq(self.byte)
            with m.If(pos < 2 + length):
                m.d.comb += crc.valid.eq(1)
            with m.If(pos == 2 + length):
                m.d.sync += crc_hi.eq(self.byte)
            with m.If(pos == 3 + length):  # the frame's last byte
                ok = (crc_hi == crc.crc[8:]) & (self.byte == crc.crc[:8])
                m.d.sync += [framing.eq(0), ended.eq(1)]
                with m.If(~ok):
                    m.d.sync += verdict.eq(P.E_CRC)
                with m.Elif(length > MAX):
                    m.d.sync += verdict.eq(P.E_LENGTH)
                with m.Else():
                    m.d.sync += verdict.eq(0)
        with m.Elif(idle == TIMEOUT):
            m.d.sync += [framing.eq(0), held.eq(1), verdict.eq(P.E_TIMEOUT)]
        with m.Else():
            m.d.sync += idle.eq(idle + 1)
        with m.If(ended):  # the receiver judges a clock after the last byte
            m.d.sync += held.eq(1)

        m.d.comb += Assert(rx.valid == held)
        with m.If(held):
            m.d.comb += Assert(rx.error == verdict)
            with m.If(verdict == 0):
                m.d.comb += [Assert(rx.length == length), Assert(rx.cmd == kind)]
                for k in range(MAX):
                    with m.If(k < length):
                        m.d.comb += Assert(rx.payload[k] == body[k])
        return m


@pytest.mark.slow  # about a minute; -m formal runs it
def test_the_receiver_judges_every_frame_as_the_protocol_does():
    result = prove(FrameHarness(), "frames", depth=41, mode="bmc")
    assert result.passed, result.describe()


def test_a_receiver_of_another_timeout_fails_the_proof():
    result = prove(
        FrameHarness(FrameReceiver(MAX, TIMEOUT + 1)), "frames-timeout", depth=20, mode="bmc"
    )
    assert result.status == "FAIL", result.describe()
