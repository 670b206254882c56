"""Framing of the host link in hardware: a frame receiver and a frame sender (boards.protocol).

Both sit on the UART's byte streams (boards.uart). The receiver checks each request frame
(SYNC, length, CRC, inter-byte timeout) and holds it, or the error it found, until the board
top takes it; the sender frames a reply whose payload bytes the board top supplies by index.
Both compute the frame CRC (boards.protocol.CRC16) one bit a clock (:class:`SerialCrc`): a
byte takes 8 clocks, and a UART's characters are 10 bit times of at least 4 clocks apart, so
neither ever waits for it on a real line.
"""

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from gaba.boards import protocol as P
from gaba.hdl import arith

__all__ = ["FrameReceiver", "FrameSender", "SerialCrc", "byte_source"]


class SerialCrc(wiring.Component):
    """A byte-wise CRC (not reflected, no final XOR: boards.protocol.CRC16 by default) folded
    in one bit a clock, most significant bit first.

    Parameters
    ----------
    algorithm
        An ``amaranth.lib.crc.Algorithm`` without reflection or final XOR.

    Members
    -------
    start : In(1)
        Strobe: the CRC restarts from its initial value (a byte being folded in is dropped).
    data : In(8)
    valid : In(1)
        Strobe while not ``busy``: fold ``data`` in over the next 8 clocks.
    busy : Out(1)
        High in those 8 clocks (from the clock after ``valid``).
    crc : Out(crc_width)
        The CRC of the bytes folded in since ``start`` (while not ``busy``).
    """

    def __init__(self, algorithm=P.CRC16.algorithm):
        if algorithm.reflect_input or algorithm.reflect_output or algorithm.xor_output:
            raise ValueError(f"SerialCrc folds in bits most significant first, not {algorithm}")
        self._alg = algorithm
        super().__init__(
            {
                "start": In(1),
                "data": In(8),
                "valid": In(1),
                "busy": Out(1),
                "crc": Out(algorithm.crc_width, init=algorithm.initial_crc),
            }
        )

    def elaborate(self, platform):
        # ``bits`` holds the byte's bits still to fold in above a marker 1: it shifts left once
        # a clock, its top bit the next one in, and the byte is done when only the marker is
        # left (in bit 8, the bits below all 0). The CRC is kept inverted (``inv``), so that
        # its initial value is a reset to 0 and its shifts need no logic.
        m = Module()
        alg = self._alg
        bits = Signal(9)
        mask = (1 << alg.crc_width) - 1
        inv = Signal(alg.crc_width, init=~alg.initial_crc & mask)
        m.d.comb += [self.busy.eq(bits[:8] != 0), self.crc.eq(~inv)]
        feedback = ~inv[-1] ^ bits[8]
        with m.If(self.start):
            m.d.sync += [inv.eq(~alg.initial_crc & mask), bits.eq(0)]
        with m.Else():
            with m.If(self.valid):
                m.d.sync += bits.eq(Cat(Const(1, 1), self.data))
            with m.Elif(self.busy):
                m.d.sync += bits.eq(bits << 1)
            with m.If(self.busy):
                # crc' = (crc << 1) ^ (feedback ? polynomial : 0), so ~crc' = (~crc << 1 | 1) ^ ...
                m.d.sync += inv.eq(Cat(Const(1, 1), inv[:-1]) ^ Mux(feedback, alg.polynomial, 0))
        return m


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
        The UART receiver's bytes. ``i.ready`` is low only in the 8 clocks after each byte of
        a frame (its CRC takes a bit a clock, :class:`SerialCrc`); a UART's characters come
        at least 40 clocks apart, so the UART never waits. Bytes are ignored while a frame is
        held (see ``valid``).
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
        # The CRC starts at SYNC and takes every byte after it; each of the two CRC bytes is
        # compared with its high byte as it comes (the byte before is folded in by then: the
        # UART takes a character's time), for folding in a CRC's high byte shifts its low
        # byte up; the frame is judged a cycle after the last one (state CHECK).
        m = Module()
        m.submodules.crc = crc = SerialCrc()
        count = Signal(8)  # payload bytes received
        idle = Signal(range(self._timeout + 1))
        crc_ok = Signal()  # the CRC bytes so far match
        byte = self.i.payload
        stb = self.i.valid & self.i.ready
        m.d.comb += [self.i.ready.eq(~crc.busy), crc.data.eq(byte)]
        # the payload registers have no reset: they are read only while a frame is held, and
        # a reset leaves none held (so their enables need not take it in)
        payload = Array(Signal(8, reset_less=True, name=f"payload{k}") for k in range(self._max))
        m.d.comb += [port.eq(reg) for port, reg in zip(self.payload, payload, strict=True)]

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
                        m.d.sync += idle.eq(0)
                        if state != "CRC_LO":
                            m.d.comb += crc.valid.eq(1)
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
                            m.d.sync += crc_ok.eq(byte == crc.crc[8:])
                            m.next = "CRC_LO"
                        else:
                            m.d.sync += crc_ok.eq(crc_ok & (byte == crc.crc[8:]))
                            m.next = "CHECK"
                    with m.Elif(idle == self._timeout):
                        finish(P.E_TIMEOUT)
                    with m.Else():
                        m.d.sync += idle.eq(idle + 1)
            with m.State("CHECK"):
                with m.If(~crc_ok):
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
    fetch_next : Out(1)
        Strobe in the cycle before ``data`` is taken: a source that shifts its bytes out
        moves on in the next clock (it registers its own enable a clock ahead).
    busy : Out(1)
    done : Out(1)
        Strobe in the cycle the last byte is handed to the UART.
    o : Out(stream.Signature(8))
        Bytes to the UART transmitter. After each byte of LEN, KIND and the payload the
        next is offered 8 clocks later at the earliest (the CRC takes a bit a clock); a
        UART takes a character's time for each, so the line does not notice.
    """

    start: In(1)
    kind: In(8)
    length: In(8)
    index: Out(8)
    data: In(8)
    fetch_next: Out(1)
    busy: Out(1)
    done: Out(1)
    o: Out(stream.Signature(8))

    def elaborate(self, platform):
        # ``byte`` holds the byte on offer; each state offers it, and when the UART takes it
        # loads the next one. Payload bytes are fetched two cycles after ``index`` moves.
        m = Module()
        kind, length = Signal(8), Signal(8)
        m.submodules.crc = crc = SerialCrc()
        byte = Signal(8)
        m.d.comb += [self.o.payload.eq(byte), crc.data.eq(byte)]

        def offer(next_state, *, add_crc=True):
            m.d.comb += [self.busy.eq(1), self.o.valid.eq(~crc.busy)]
            taken = self.o.ready & ~crc.busy
            with m.If(taken):
                if add_crc:
                    m.d.comb += crc.valid.eq(1)
                m.next = next_state
            return taken

        states = ("IDLE", "SYNC", "LEN", "KIND", "WAIT", "FETCH", "PAYLOAD")
        states += ("CRC", "CRC_HI", "CRC_SHIFT", "CRC_LO")
        with m.FSM() as fsm:
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
                m.d.comb += [self.busy.eq(1), self.fetch_next.eq(1)]  # (FETCH follows)
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
            # The CRC's high byte goes out, and is folded into the CRC too, which shifts the
            # low byte up (the CRC of a frame with its CRC is 0): both come from the high byte.
            with m.State("CRC"):  # the last byte's bits are still going in
                m.d.comb += self.busy.eq(1)
                with m.If(~crc.busy):
                    m.d.sync += byte.eq(crc.crc[8:])
                    m.next = "CRC_HI"
            with m.State("CRC_HI"):
                offer("CRC_SHIFT")
            with m.State("CRC_SHIFT"):
                m.d.comb += self.busy.eq(1)
                with m.If(~crc.busy):
                    m.d.sync += byte.eq(crc.crc[8:])
                    m.next = "CRC_LO"
            with m.State("CRC_LO"):
                m.d.comb += self.done.eq(offer("IDLE", add_crc=False))
        if arith.claiming(platform):
            warned = Signal()  # fetch_next, a clock late
            m.d.sync += warned.eq(self.fetch_next)
            fetching = fsm.ongoing("FETCH")
            arith.claim(m, platform, warned == fetching, "fetch_next: the clock before FETCH")
        known = Cat(*(fsm.ongoing(name) for name in states)).any()
        arith.claim(m, platform, known, "the sender is in one of its states")
        arith.claim(m, platform, self.busy == ~fsm.ongoing("IDLE"), "busy outside IDLE")
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
