"""cocotb bench of the simulated board: relays a TCP socket to the board top's UART pins.

Runs inside the simulator (started by gaba.boards.simboard). It connects to the host's socket
($GABA_BOARD_ADDR, "host:port") and then, until the host closes it:

- bytes from the host are put on ``rx`` bit by bit (start, 8 data bits LSB first, stop), each
  bit ``divisor`` clock periods long: Python wakes once per bit, not per clock;
- ``tx`` is watched for start edges and sampled in the middle of each bit; each byte goes to
  the host as soon as its stop bit is seen (a low stop bit is counted as a framing error and
  the byte is dropped, as a real UART would);
- while neither happens, the simulator runs freely and Python looks at the socket every
  $GABA_BOARD_POLL clock periods.

The clock runs inside the HDL (the simulation top), so nothing here toggles it.
"""

import os
import socket

import cocotb
from cocotb.triggers import FallingEdge, Timer

from gaba.sim.benches.common import PERIOD_NS


class Relay:
    def __init__(self, dut, sock: socket.socket, divisor: int, poll: int):
        self.dut, self.sock = dut, sock
        self.bit_ns = divisor * PERIOD_NS
        self.poll_ns = poll * PERIOD_NS
        self.out = bytearray()
        self.framing_errors = 0
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

    async def send_byte(self, byte: int):
        for level in [0, *((byte >> k) & 1 for k in range(8)), 1]:
            self.dut.rx.value = level
            await Timer(self.bit_ns, "ns")

    async def watch_tx(self):
        dut = self.dut
        while True:
            await FallingEdge(dut.tx)
            await Timer(self.bit_ns * 3 // 2, "ns")  # middle of data bit 0
            byte = 0
            for k in range(8):
                byte |= int(dut.tx.value) << k
                await Timer(self.bit_ns, "ns")
            if int(dut.tx.value) == 1:  # middle of the stop bit
                self.out.append(byte)
                self.flush()
            else:
                self.framing_errors += 1

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
                for byte in data:
                    await self.send_byte(byte)
            else:
                await Timer(self.poll_ns, "ns")
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
    sock.setblocking(False)
    relay = Relay(dut, sock, divisor, poll)
    cocotb.start_soon(relay.watch_tx())
    try:
        await relay.run()
    finally:
        sock.close()
