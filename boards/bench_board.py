"""cocotb bench of the simulated board: relays a TCP socket to the board top's UART pins.

Runs inside the simulator (started by gaba.boards.simboard). It connects to the host's socket
($GABA_BOARD_ADDR, "host:port") and then, until the host closes it:

- bytes from the host go to a cocotbext-uart ``UartSource`` on ``rx``, which puts each on the
  line as an 8N1 character (start, 8 data bits LSB first, stop), each bit ``divisor`` clock
  periods long;
- a ``UartSink`` on ``tx`` waits for each start edge and samples every bit in its middle; each
  byte goes to the host as soon as it is complete (the sink does not check the stop bit: the
  board's transmitter, proven in tests/boards/test_uart.py, always sends a high one);
- while neither happens, the simulator runs freely and Python looks at the socket every
  $GABA_BOARD_POLL clock periods, or as soon as the sink has a byte.

Both wait with a Timer per bit (and the sink on the start edge), so Python wakes once per bit
while a byte moves, never per clock. The clock runs inside the HDL (the simulation top), so
nothing here toggles it.
"""

import logging
import os
import socket
import warnings

import cocotb
from cocotb.triggers import Timer
from cocotbext.uart import UartSink, UartSource

from gaba.sim.benches.common import PERIOD_NS


def baud_for(bit_ns: int) -> float:
    """A baud rate whose bit time cocotbext-uart rounds to exactly ``bit_ns`` ns: it waits
    ``int(1e9 / baud)`` ns per bit (and half that, rounded down, to the middle of a start bit),
    and for some bit times (55 ns, 57, 110, ...) ``1e9 / (1e9 / bit_ns)`` comes out a hair
    below ``bit_ns``; then a rate a little lower is taken."""
    baud = 1e9 / bit_ns
    return baud if int(1e9 / baud) == bit_ns else 1e9 / (bit_ns + 0.5)


class Relay:
    def __init__(self, dut, sock: socket.socket, divisor: int, poll: int):
        self.sock = sock
        self.poll_ns = poll * PERIOD_NS
        baud = baud_for(divisor * PERIOD_NS)
        with warnings.catch_warnings():  # UartSource idles the line with setimmediatevalue
            warnings.simplefilter("ignore", DeprecationWarning)
            self.source = UartSource(dut.rx, baud=baud)
        self.sink = UartSink(dut.tx, baud=baud)
        for end in (self.source, self.sink):
            end.log.setLevel(logging.WARNING)  # they log every byte at INFO
        self.out = bytearray()
        self.closed = False

    def flush(self):
        while self.out and not self.closed:
            try:
                sent = self.sock.send(self.out)
            except BlockingIOError:
                return
            except OSError:  # the host went away
                self.closed = True
                return
            del self.out[:sent]

    async def run(self):
        while not self.closed:
            try:
                data = self.sock.recv(4096)
            except BlockingIOError:
                data = None
            except OSError:
                break
            if data == b"":  # the host closed the link: the simulation ends
                break
            if data:
                self.source.write_nowait(data)
            await self.sink.wait(self.poll_ns, "ns")
            self.out += self.sink.read_nowait()
            self.flush()


@cocotb.test()
async def relay(dut):
    host, port = os.environ["GABA_BOARD_ADDR"].rsplit(":", 1)
    divisor = int(os.environ["GABA_BOARD_DIVISOR"])
    poll = int(os.environ.get("GABA_BOARD_POLL", "2000"))
    dut.rx.value = 1
    dut.rst.value = 1
    await Timer(4 * PERIOD_NS, "ns")
    dut.rst.value = 0
    sock = socket.create_connection((host, int(port)), timeout=30)
    # each byte goes to the host as soon as it is complete: without this, Nagle's algorithm
    # holds a byte until the host acknowledges the one before, which a delayed ACK puts off
    # by tens of milliseconds (40 ms on Linux) at every reply
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    try:
        await Relay(dut, sock, divisor, poll).run()
    finally:
        sock.close()
