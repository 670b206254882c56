# amaranth: UnusedElaboratable=no
"""gaba.boards.uart in the Amaranth simulator, against a bit-level model of an 8N1 line.

The model drives and samples the line in Python, bit by bit, at the divisor's timing; it is
written from the character format, not from the HDL.
"""

import pytest
from amaranth.hdl import Module
from amaranth.sim import Simulator

from gaba.boards.uart import UartRx, UartTx


def line_bits(byte: int, stop: int = 1) -> list[int]:
    """The 10 bit levels of one 8N1 character: start, data LSB first, stop."""
    return [0, *((byte >> k) & 1 for k in range(8)), stop]


def _run(dut, bench, *, consumer=None):
    """Simulate ``dut`` with the testbench ``bench`` (and a Consumer's process)."""
    sim = Simulator(dut)
    sim.add_clock(1e-6)
    if consumer is not None:
        sim.add_process(consumer.process)
    sim.add_testbench(bench)
    sim.run()


@pytest.mark.parametrize("divisor", [4, 7, 16])
def test_tx_sends_8n1_with_exact_bit_times(divisor):
    dut = UartTx(divisor)
    data = [0x00, 0xFF, 0x55, 0xA5, 0x01]
    levels = []

    async def bench(ctx):
        assert ctx.get(dut.tx) == 1 and ctx.get(dut.i.ready) == 1  # idles high, ready
        for byte in data:
            while not ctx.get(dut.i.ready):
                levels.append(ctx.get(dut.tx))
                await ctx.tick()
            ctx.set(dut.i.payload, byte)
            ctx.set(dut.i.valid, 1)
            levels.append(ctx.get(dut.tx))
            await ctx.tick()
            ctx.set(dut.i.valid, 0)
        for _ in range(12 * divisor):
            levels.append(ctx.get(dut.tx))
            await ctx.tick()

    _run(dut, bench)
    # the level sampled in each cycle, from the first start bit on: each bit lasts exactly
    # divisor cycles and characters follow back to back
    start = levels.index(0)
    want = [bit for byte in data for bit in line_bits(byte) for _ in range(divisor)]
    assert levels[start : start + len(want)] == want
    assert set(levels[start + len(want) :]) == {1}


def _drive(ctx, dut, bits, divisor, stretch=1.0):
    """Coroutine body: put ``bits`` on rx, each ``divisor * stretch`` cycles (rounded)."""

    async def go():
        t = 0.0
        for bit in bits:
            ctx.set(dut.rx, bit)
            t += divisor * stretch
            for _ in range(round(t) - round(t - divisor * stretch)):
                await ctx.tick()

    return go()


class Consumer:
    """A process taking UartRx's stream: ``ready(cycle)`` says when it is ready (always, by
    default). It records the bytes taken, and how many had been taken at each framing error
    and each overrun; it checks that a waiting byte stays put until it is taken."""

    def __init__(self, dut, ready=lambda cycle: True):
        self.dut, self.ready = dut, ready
        self.got, self.errors, self.overruns, self.taken_at = [], [], [], []

    async def process(self, ctx):
        o = self.dut.o
        cycle, waiting = 0, None
        ctx.set(o.ready, self.ready(0))
        signals = (o.valid, o.ready, o.payload, self.dut.err, self.dut.overrun)
        async for _, _, valid, ready, payload, err, overrun in ctx.tick().sample(*signals):
            cycle += 1
            if waiting is not None:
                assert valid and payload == waiting, "a waiting byte changed before it was taken"
            waiting = payload if valid and not ready else None
            if valid and ready:
                self.got.append(payload)
                self.taken_at.append(cycle)
            if err:
                self.errors.append(len(self.got))
            if overrun:
                self.overruns.append(len(self.got))
            ctx.set(o.ready, self.ready(cycle))


def _receive(divisor, bits, *, stretch=1.0, tail=40, ready=lambda cycle: True):
    dut = UartRx(divisor)
    consumer = Consumer(dut, ready)

    async def bench(ctx):
        await ctx.tick().repeat(5)
        await _drive(ctx, dut, bits, divisor, stretch)
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(tail * divisor)

    _run(dut, bench, consumer=consumer)
    return consumer


@pytest.mark.parametrize("divisor", [4, 5, 16])
def test_rx_receives_back_to_back_characters(divisor):
    data = [0x00, 0xFF, 0x5A, 0xA5, 0x80, 0x01, 0x3C]
    bits = [1, 1] + [b for byte in data for b in line_bits(byte)]
    got = _receive(divisor, bits)
    assert got.got == data and got.errors == [] and got.overruns == []


@pytest.mark.parametrize("stretch", [0.97, 1.03])
def test_rx_tolerates_a_3_percent_baud_mismatch(stretch):
    data = [0x00, 0xFF, 0x69, 0x96]
    bits = [1] + [b for byte in data for b in line_bits(byte)]
    got = _receive(16, bits, stretch=stretch)
    assert (got.got, got.errors) == (data, [])


def test_rx_reports_a_low_stop_bit_and_drops_the_byte():
    bits = [1, *line_bits(0x12), *line_bits(0x34, stop=0), 0, 0, 1, 1, *line_bits(0x56)]
    got = _receive(8, bits)
    assert got.got == [0x12, 0x56] and got.errors == [1]


def test_rx_holds_a_byte_until_it_is_taken():
    # the consumer looks away for 30 bit times: the byte waits, unchanged (Consumer checks)
    got = _receive(8, [1, *line_bits(0xB7)], ready=lambda cycle: cycle >= 8 * 30)
    assert got.got == [0xB7] and got.taken_at == [8 * 30 + 1] and got.overruns == []


@pytest.mark.parametrize("late", [False, True])
def test_rx_overrun_drops_the_next_character_whole(late):
    """A character that starts while the previous byte waits is dropped, even when the byte
    is taken while that character still arrives (``late``); the waiting byte is kept and
    the character after is received."""
    divisor = 8
    bits = [1, *line_bits(0x11), *line_bits(0x22), 1, 1, 1]
    ready_from = 5 + 8 * (1 + 10 + 5) if late else 5 + 8 * 40  # mid-0x22, or after it
    bits += [1] * (40 - len(bits)) + line_bits(0x33)  # 0x33 starts after ready_from
    got = _receive(divisor, bits, ready=lambda cycle: cycle >= ready_from)
    assert got.got == [0x11, 0x33] and got.errors == []
    assert got.overruns == ([1] if late else [0])


def test_rx_ignores_a_glitch_shorter_than_half_a_bit():
    divisor = 16
    dut = UartRx(divisor)
    consumer = Consumer(dut)
    marks = []

    async def bench(ctx):
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(5)
        ctx.set(dut.rx, 0)  # a 3-cycle low pulse: not a start bit
        await ctx.tick().repeat(3)
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(12 * divisor)
        marks.append((list(consumer.got), list(consumer.errors)))
        await _drive(ctx, dut, line_bits(0xC3), divisor)
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(2 * divisor)

    _run(dut, bench, consumer=consumer)
    # nothing from the glitch; the next real character is framed
    assert marks == [([], [])]
    assert consumer.got == [0xC3] and consumer.errors == []


@pytest.mark.parametrize("divisor", [4, 9])
def test_loopback(divisor):
    """Transmitter to receiver on the line, both streams connected by a testbench."""
    m = Module()
    m.submodules.tx = tx = UartTx(divisor)
    m.submodules.rx = rx = UartRx(divisor)
    m.d.comb += rx.rx.eq(tx.tx)
    consumer = Consumer(rx)
    data = list(range(0, 256, 7))

    async def bench(ctx):
        for byte in data:
            ctx.set(tx.i.payload, byte)
            ctx.set(tx.i.valid, 1)
            await ctx.tick().until(tx.i.ready)
            await ctx.tick()
            ctx.set(tx.i.valid, 0)
        await ctx.tick().repeat(12 * divisor)

    _run(m, bench, consumer=consumer)
    assert consumer.got == data and consumer.overruns == []


def test_divisor_is_checked():
    for bad in (3, 0, 4.0, True, "8"):
        with pytest.raises(ValueError, match="Baud divisor must be an integer of at least 4"):
            UartTx(bad)
        with pytest.raises(ValueError, match="Baud divisor must be an integer of at least 4"):
            UartRx(bad)
