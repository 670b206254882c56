"""A minimal 8N1 UART: one transmitter, one receiver, the baud divisor a parameter.

The line idles high; a byte is a low start bit, eight data bits least significant first, and a
high stop bit, each ``divisor`` clock cycles long. ``divisor`` is the clock frequency over the
baud rate (12 MHz / 115200 baud rounds to 104, a 0.2 % error; the simulated board uses a few
clocks per bit so that a frame costs a few hundred cycles, not tens of thousands). Bytes go in
and come out on amaranth.lib.stream interfaces (``UartTx.i``, ``UartRx.o``).
"""

from amaranth.hdl import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out

__all__ = ["MIN_DIVISOR", "UartRx", "UartTx", "check_divisor"]

#: The receiver samples mid-bit, half a bit after the start edge; below 4 clocks per bit the
#: two-flop synchroniser's delay is a large part of a bit.
MIN_DIVISOR = 4


def check_divisor(divisor) -> int:
    if isinstance(divisor, bool) or not isinstance(divisor, int) or divisor < MIN_DIVISOR:
        raise ValueError(
            f"Baud divisor must be an integer of at least {MIN_DIVISOR}, not {divisor!r}"
        )
    return divisor


class _Uart(wiring.Component):
    """What both directions share: the divisor, checked.

    Parameters
    ----------
    divisor : int
        Clock cycles per bit (:func:`check_divisor`).
    """

    def __init__(self, divisor: int):
        self._divisor = check_divisor(divisor)
        super().__init__()

    @property
    def divisor(self) -> int:
        """Clock cycles per bit."""
        return self._divisor


class UartTx(_Uart):
    """Sends each byte offered on ``i`` as one 8N1 character on ``tx``, ``divisor`` clock
    cycles per bit.

    Members
    -------
    i : In(stream.Signature(8))
        Bytes to send; ``i.ready`` is high while the transmitter is idle and in the last
        cycle of a stop bit, so characters can follow back to back; a byte is taken in the
        cycle where ``i.valid`` and ``i.ready`` are both high.
    tx : Out(1)
        The serial line (idles high).
    """

    i: In(stream.Signature(8))
    tx: Out(1, init=1)

    def elaborate(self, platform):
        # One shift register holds the whole character (start, data, stop); every divisor
        # cycles its lowest bit goes out and it shifts right, filling with idle ones.
        m = Module()
        shreg = Signal(10, init=0x3FF)
        bits = Signal(range(11))
        timer = Signal(range(self._divisor))
        last = (bits == 1) & (timer == 0)  # the stop bit's last cycle: the next may follow
        m.d.comb += [self.tx.eq(shreg[0]), self.i.ready.eq((bits == 0) | last)]
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += [
                shreg.eq((1 << 9) | (self.i.payload << 1)),
                bits.eq(10),
                timer.eq(self._divisor - 1),
            ]
        with m.Elif(bits != 0):
            with m.If(timer == 0):
                m.d.sync += [
                    shreg.eq((1 << 9) | shreg[1:]),
                    bits.eq(bits - 1),
                    timer.eq(self._divisor - 1),
                ]
            with m.Else():
                m.d.sync += timer.eq(timer - 1)
        return m


class UartRx(_Uart):
    """Receives 8N1 characters of ``divisor`` clock cycles per bit from ``rx`` and offers
    their bytes on a stream.

    Members
    -------
    rx : In(1)
        The serial line (asynchronous: it passes a two-flop synchroniser).
    o : Out(stream.Signature(8))
        The bytes of characters with a good stop bit. ``o.valid`` rises in the cycle after the
        stop bit is sampled and stays high, ``o.payload`` unchanged, until the byte is taken
        (``o.valid`` and ``o.ready``). A receiver cannot stall the line, so ``o.ready`` has
        about a bit time to answer: a character whose start bit is confirmed while the previous
        byte is still waiting is dropped whole (an overrun, see ``overrun``); the waiting byte
        is kept. A consumer that holds ``o.ready`` high takes every byte and never sees one.
    err : Out(1)
        Strobe: a character ended with a low stop bit (framing error, or a break); its byte
        is dropped.
    overrun : Out(1)
        Strobe at the stop bit of a character dropped because the previous byte was not taken
        in time.
    """

    rx: In(1, init=1)
    o: Out(stream.Signature(8))
    err: Out(1)
    overrun: Out(1)

    def elaborate(self, platform):
        # A falling edge starts a character; half a bit later the start bit is checked (a
        # glitch shorter than that is ignored), then each bit is sampled a whole bit later,
        # in its middle. The stop bit is sampled mid-bit too, so the receiver is ready for
        # the next start edge half a bit early: characters can follow back to back. The
        # shift register is the stream's payload: it shifts only in a character that is not
        # being dropped, which is one that started while no byte was waiting.
        m = Module()
        rx = Signal(init=1)
        m.submodules.sync = FFSynchronizer(self.rx, rx, init=1)
        half = self._divisor // 2
        timer = Signal(range(self._divisor))
        shreg = Signal(8)
        bit = Signal(range(8))
        drop = Signal()  # this character is dropped: the previous byte was still waiting
        m.d.comb += self.o.payload.eq(shreg)
        with m.If(self.o.ready):
            m.d.sync += self.o.valid.eq(0)
        with m.FSM():
            with m.State("IDLE"):
                with m.If(~rx):
                    m.d.sync += timer.eq(half - 1)
                    m.next = "START"
            with m.State("START"):
                with m.If(timer != 0):
                    m.d.sync += timer.eq(timer - 1)
                with m.Elif(rx):  # a glitch, not a start bit
                    m.next = "IDLE"
                with m.Else():
                    m.d.sync += [timer.eq(self._divisor - 1), bit.eq(0)]
                    m.d.sync += drop.eq(self.o.valid & ~self.o.ready)
                    m.next = "DATA"
            with m.State("DATA"):
                with m.If(timer != 0):
                    m.d.sync += timer.eq(timer - 1)
                with m.Else():
                    with m.If(~drop):
                        m.d.sync += shreg.eq((rx << 7) | shreg[1:])
                    m.d.sync += [timer.eq(self._divisor - 1), bit.eq(bit + 1)]
                    with m.If(bit == 7):
                        m.next = "STOP"
            with m.State("STOP"):
                with m.If(timer != 0):
                    m.d.sync += timer.eq(timer - 1)
                with m.Else():
                    with m.If(rx):
                        with m.If(drop):
                            m.d.comb += self.overrun.eq(1)
                        with m.Else():
                            m.d.sync += self.o.valid.eq(1)
                        m.next = "IDLE"
                    with m.Else():
                        m.d.comb += self.err.eq(1)
                        m.next = "BREAK"
            with m.State("BREAK"):  # wait for the line to return high before a new start
                with m.If(rx):
                    m.next = "IDLE"
        return m
