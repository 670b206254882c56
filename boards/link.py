"""Framing of the host link in hardware: a frame receiver and a frame sender (boards.protocol).

Both sit on the UART's byte streams (boards.uart). The receiver checks each request frame
(SYNC, length, CRC, inter-byte timeout) and holds it, or the error it found, until the board
top takes it; the sender frames a reply whose payload bytes the board top supplies by index.
Both compute the frame CRC with amaranth.lib.crc's processor for boards.protocol.CRC16.
"""

from amaranth.hdl import Array, Cat, Const, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from gaba.boards import protocol as P

__all__ = ["FrameReceiver", "FrameSender", "byte_source"]


class FrameReceiver(wiring.Component):
    """Request frames from UART bytes, checked, held until taken.

    Parameters
    ----------
    max_payload : int
        Payload bytes buffered; a longer frame is received to its end, then reported as
        ``E_LENGTH``.
    timeout : int
        Clock cycles without a byte after which a frame in progress is dropped (``E_TIMEOUT``).

    Members
    -------
    i : In(stream.Signature(8))
        The UART receiver's bytes. ``i.ready`` is always high: the UART cannot wait, so each
        byte is taken when it comes (and ignored while a frame is held, see ``valid``).
    valid : Out(1)
        A frame or an error is held: ``error`` is 0 for a good frame, else the protocol's
        error code (the frame is dropped). Bytes arriving while one is held are ignored.
    take : In(1)
        Strobe while ``valid``: release the held frame.
    error : Out(8)
    cmd, length : Out(8)
        The frame's KIND and LEN bytes (as received, also for an error).
    payload : Out(8).array(max_payload)
        Its payload bytes (those beyond ``length`` are stale).
    """

    def __init__(self, max_payload: int = P.MAX_REQUEST, timeout: int = 1 << 16):
        self._max, self._timeout = max_payload, timeout
        super().__init__(
            {
                "i": In(stream.Signature(8)),
                "valid": Out(1),
                "take": In(1),
                "error": Out(8),
                "cmd": Out(8),
                "length": Out(8),
                "payload": Out(8).array(max_payload),
            }
        )

    def elaborate(self, platform):
        # The CRC processor starts at SYNC and takes every byte after it, the CRC's own two
        # included; a cycle after the last one its register holds the residue (0) for a good
        # frame, and the frame is judged then (state CHECK).
        m = Module()
        m.submodules.crc = crc = P.CRC16.create()
        count = Signal(8)  # payload bytes received
        idle = Signal(range(self._timeout + 1))
        byte, stb = self.i.payload, self.i.valid
        m.d.comb += [self.i.ready.eq(1), crc.data.eq(byte)]
        payload = Array(self.payload)

        def finish(error):
            m.d.sync += self.error.eq(error)
            m.next = "HELD"

        with m.FSM():
            with m.State("HUNT"):
                with m.If(stb & (byte == P.SYNC_REQUEST)):
                    m.d.comb += crc.start.eq(1)
                    m.d.sync += idle.eq(0)
                    m.next = "LEN"
            with m.State("HELD"):
                m.d.comb += self.valid.eq(1)
                with m.If(self.take):
                    m.next = "HUNT"
            for state in ("LEN", "CMD", "PAYLOAD", "CRC_HI", "CRC_LO"):
                with m.State(state):
                    with m.If(stb):
                        m.d.comb += crc.valid.eq(1)
                        m.d.sync += idle.eq(0)
                        if state == "LEN":
                            m.d.sync += [self.length.eq(byte), count.eq(0)]
                            m.next = "CMD"
                        elif state == "CMD":
                            m.d.sync += self.cmd.eq(byte)
                            m.next = "PAYLOAD"
                            with m.If(self.length == 0):
                                m.next = "CRC_HI"
                        elif state == "PAYLOAD":
                            with m.If(count < self._max):
                                m.d.sync += payload[count[: (self._max - 1).bit_length()]].eq(byte)
                            m.d.sync += count.eq(count + 1)
                            with m.If(count + 1 == self.length):
                                m.next = "CRC_HI"
                        elif state == "CRC_HI":
                            m.next = "CRC_LO"
                        else:
                            m.next = "CHECK"
                    with m.Elif(idle == self._timeout):
                        finish(P.E_TIMEOUT)
                    with m.Else():
                        m.d.sync += idle.eq(idle + 1)
            with m.State("CHECK"):
                with m.If(~crc.match_detected):
                    finish(P.E_CRC)
                with m.Elif(self.length > self._max):
                    finish(P.E_LENGTH)
                with m.Else():
                    finish(0)
        return m


class FrameSender(wiring.Component):
    """Sends one reply frame: SYNC, LEN, KIND, payload, CRC.

    Members
    -------
    start : In(1)
        Strobe while not ``busy``: send a frame of ``kind`` with ``length`` payload bytes.
    kind, length : In(8)
    index : Out(8)
        Index of the payload byte wanted; it is held for at least one cycle before ``data``
        is taken, so ``data`` may come from a synchronous memory read addressed by it.
    data : In(8)
        Payload byte ``index``.
    busy : Out(1)
    done : Out(1)
        Strobe in the cycle the last byte is handed to the UART.
    o : Out(stream.Signature(8))
        Bytes to the UART transmitter.
    """

    start: In(1)
    kind: In(8)
    length: In(8)
    index: Out(8)
    data: In(8)
    busy: Out(1)
    done: Out(1)
    o: Out(stream.Signature(8))

    def elaborate(self, platform):
        # ``byte`` holds the byte on offer; each state offers it, and when the UART takes it
        # loads the next one. Payload bytes are fetched two cycles after ``index`` moves.
        m = Module()
        kind, length = Signal(8), Signal(8)
        m.submodules.crc = crc = P.CRC16.create()
        byte = Signal(8)
        m.d.comb += [self.o.payload.eq(byte), crc.data.eq(byte)]

        def offer(next_state, *, add_crc=True):
            m.d.comb += [self.busy.eq(1), self.o.valid.eq(1)]
            taken = self.o.ready
            with m.If(taken):
                if add_crc:
                    m.d.comb += crc.valid.eq(1)
                m.next = next_state
            return taken

        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.start):
                    m.d.comb += crc.start.eq(1)
                    m.d.sync += [
                        kind.eq(self.kind),
                        length.eq(self.length),
                        byte.eq(P.SYNC_REPLY),
                        self.index.eq(0),
                    ]
                    m.next = "SYNC"
            with m.State("SYNC"):
                with m.If(offer("LEN", add_crc=False)):
                    m.d.sync += byte.eq(length)
            with m.State("LEN"):
                with m.If(offer("KIND")):
                    m.d.sync += byte.eq(kind)
            with m.State("KIND"):
                with m.If(offer("WAIT") & (length == 0)):
                    m.next = "CRC"
            with m.State("WAIT"):  # index moved last cycle; a memory read needs this one
                m.d.comb += self.busy.eq(1)
                m.next = "FETCH"
            with m.State("FETCH"):
                m.d.comb += self.busy.eq(1)
                m.d.sync += byte.eq(self.data)
                m.next = "PAYLOAD"
            with m.State("PAYLOAD"):
                with m.If(offer("WAIT")):
                    m.d.sync += self.index.eq(self.index + 1)
                    with m.If(self.index + 1 == length):
                        m.next = "CRC"
            with m.State("CRC"):
                m.d.comb += self.busy.eq(1)
                m.d.sync += byte.eq(crc.crc[8:])
                m.next = "CRC_HI"
            with m.State("CRC_HI"):
                with m.If(offer("CRC_LO", add_crc=False)):
                    m.d.sync += byte.eq(crc.crc[:8])
            with m.State("CRC_LO"):
                m.d.comb += self.done.eq(offer("IDLE", add_crc=False))
        return m


def byte_source(fields, index):
    """Payload byte ``index`` of ``fields`` laid out one after the other, each padded to whole
    bytes, little-endian: a multiplexer, no registers. Returns (byte, payload length)."""
    parts = []
    for value in fields:
        nbytes = (len(value) + 7) // 8
        padded = Cat(value, Const(0, 8 * nbytes - len(value)))
        parts += [padded[8 * k : 8 * k + 8] for k in range(nbytes)]
    return Array(parts)[index], len(parts)
