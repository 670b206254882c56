# amaranth: UnusedElaboratable=no
"""gaba.boards.hostlink in the Amaranth simulator: a stand-in design that offers a result in
every clock, behind the host link; the host's bytes go onto ``rx`` bit by bit and the board's
are read back from ``tx`` (the 8N1 character format of tests/boards/test_uart.py).

What is checked: results that are not streamed are taken at once, whatever the link is
sending (a STATUS or SUMMARY reply included); streamed results wait only for room in the
FIFO; and every reply describes one moment (its counters all of the same clock), although
they move while the reply's bytes go out.
"""

from amaranth.hdl import Module, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import Out
from amaranth.sim import Simulator

from gaba.boards import protocol as P
from gaba.boards.hostlink import Command, HostLinkTop
from gaba.tests.boards.test_uart import line_bits

DIVISOR = 4
#: SUMMARY here: results taken u32, the sum of their values u32, the clock of the last u48
SUMMARY = "<II6s"


class Counter(wiring.Component):
    """Offers the results 0, 1, 2, ... one a clock: each is offered until it is taken."""

    busy: Out(1)
    res: Out(stream.Signature(data.StructLayout({"value": 32})))

    def elaborate(self, platform):
        m = Module()
        m.d.comb += [self.busy.eq(1), self.res.valid.eq(1)]
        with m.If(self.res.ready):
            m.d.sync += self.res.payload.value.eq(self.res.payload.value + 1)
        return m


class CounterTop(HostLinkTop):
    """The counter behind the host link; RUN (1 byte: stream) restarts the run's counters."""

    @staticmethod
    def check_config(cfg):
        pass

    def result_layout(self):
        return data.StructLayout({"value": 32})

    def info_payload(self):
        return bytes(4)

    def design(self):
        self.counter = Counter()
        return self.counter

    def design_commands(self, m, design, link):
        total = Signal(32)
        with m.If(link.accept):
            m.d.sync += total.eq(total + design.res.payload.value)

        def run(m, payload):
            link.restart(m, stream=payload[0][0], first_index=0)

        return [
            link.info,
            link.status,
            Command(P.CMD_RUN, 1, [], action=run),
            Command(P.CMD_SUMMARY, 0, [link.taken, total, link.last]),
            link.abort,
        ]


def _talk(requests, *, tail=2000):
    """Send each request frame (bytes; an int: that many idle cycles) to a CounterTop; return
    the frames it sent, in order, and per clock whether the counter's result was taken."""
    top = CounterTop(None, divisor=DIVISOR, clock_hz=1, fifo_depth=4)
    tx, taken = [], []

    async def monitor(ctx):
        res = top.counter.res
        async for _, _, level, valid, ready in ctx.tick().sample(top.tx, res.valid, res.ready):
            tx.append(level)
            taken.append(bool(valid and ready))

    async def bench(ctx):
        ctx.set(top.rx, 1)
        await ctx.tick().repeat(10)
        for request in requests:
            if isinstance(request, int):
                await ctx.tick().repeat(request)
                continue
            for bit in (b for byte in request for b in line_bits(byte)):
                ctx.set(top.rx, bit)
                await ctx.tick().repeat(DIVISOR)
        await ctx.tick().repeat(tail)

    sim = Simulator(top)
    sim.add_clock(1e-6)
    sim.add_process(monitor)
    sim.add_testbench(bench)
    sim.run()
    return P.FrameDecoder(P.SYNC_REPLY).feed(_bytes(tx)), taken


def _bytes(levels) -> bytes:
    """The 8N1 characters on a line sampled once a clock (each bit DIVISOR clocks long)."""
    out, i = bytearray(), 0
    while True:
        try:
            i = levels.index(0, i)  # a start bit
        except ValueError:
            return bytes(out)
        mid = i + DIVISOR // 2
        bits = [levels[mid + DIVISOR * k] for k in range(1, 9) if mid + DIVISOR * k < len(levels)]
        if len(bits) < 8:
            return bytes(out)
        out.append(sum(b << k for k, b in enumerate(bits)))
        i += 10 * DIVISOR - DIVISOR // 2  # into the stop bit


def _summary(payload):
    import struct

    taken, total, last = struct.unpack(SUMMARY, payload)
    return taken, total, int.from_bytes(last, "little")


def test_results_not_streamed_are_taken_in_every_clock_and_replies_describe_one_moment():
    status, summary = P.encode_frame(P.CMD_STATUS), P.encode_frame(P.CMD_SUMMARY)
    frames, taken = _talk([status, summary, 300, summary, status])
    replies = [P.CMD_STATUS | P.REPLY, P.CMD_SUMMARY | P.REPLY]
    assert [kind for kind, _ in frames] == [*replies, *replies[::-1]]
    # the counter's result is taken in every clock: no reply stalls it
    first = taken.index(True)
    assert all(taken[first:]), f"the design waited in {taken[first:].count(False)} clocks"
    lags = set()
    for kind, payload in frames:
        if kind == P.CMD_SUMMARY | P.REPLY:
            count, total, last = _summary(payload)
            # one moment: the sum of the results 0 .. count-1 and the clock of the last one
            # (one result a clock since reset), although all three move while the reply goes
            assert count > 2 * 256 and total == count * (count - 1) // 2, (count, total)
            lags.add(last - count)
        else:
            st = P.Status.decode(payload)
            assert st.busy and not st.streaming and st.fifo_level == 0 and st.results > 0
    assert len(lags) == 1


def test_streamed_results_wait_only_for_room_in_the_fifo():
    run = P.encode_frame(P.CMD_RUN, b"\x01")
    frames, taken = _talk([run, P.encode_frame(P.CMD_SUMMARY)], tail=3000)
    results = [payload for kind, payload in frames if kind == P.KIND_RESULT]
    # RESULT frames: index u32, then the value; the values follow on, none lost
    values = [int.from_bytes(r[4:8], "little") for r in results]
    assert len(values) > 3 and values == list(range(values[0], values[0] + len(values)))
    assert [int.from_bytes(r[:4], "little") for r in results] == list(range(len(results)))
    (reply,) = [payload for kind, payload in frames if kind == P.CMD_SUMMARY | P.REPLY]
    assert _summary(reply)[0] >= len(values)  # taken into the FIFO; some still went out after
    # the design waited (the FIFO was full while frames went out), as it must when streaming
    assert not all(taken[taken.index(True) :])
