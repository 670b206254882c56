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


def _run(dut, bench, *, clock=1e-6):
    sim = Simulator(dut)
    sim.add_clock(clock)
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


def _receive(divisor, bits, *, stretch=1.0, tail=40):
    dut = UartRx(divisor)
    got, errors = [], []

    async def monitor(ctx):
        async for _, _, stb, err, data in ctx.tick().sample(dut.stb, dut.err, dut.data):
            if stb:
                got.append(data)
            if err:
                errors.append(len(got))

    async def bench(ctx):
        await ctx.tick().repeat(5)
        await _drive(ctx, dut, bits, divisor, stretch)
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(tail * divisor)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_process(monitor)
    sim.add_testbench(bench)
    sim.run()
    return got, errors


@pytest.mark.parametrize("divisor", [4, 5, 16])
def test_rx_receives_back_to_back_characters(divisor):
    data = [0x00, 0xFF, 0x5A, 0xA5, 0x80, 0x01, 0x3C]
    bits = [1, 1] + [b for byte in data for b in line_bits(byte)]
    got, errors = _receive(divisor, bits)
    assert got == data and errors == []


@pytest.mark.parametrize("stretch", [0.97, 1.03])
def test_rx_tolerates_a_3_percent_baud_mismatch(stretch):
    data = [0x00, 0xFF, 0x69, 0x96]
    bits = [1] + [b for byte in data for b in line_bits(byte)]
    assert _receive(16, bits, stretch=stretch) == (data, [])


def test_rx_reports_a_low_stop_bit_and_drops_the_byte():
    bits = [1, *line_bits(0x12), *line_bits(0x34, stop=0), 0, 0, 1, 1, *line_bits(0x56)]
    got, errors = _receive(8, bits)
    assert got == [0x12, 0x56] and errors == [1]


def test_rx_ignores_a_glitch_shorter_than_half_a_bit():
    divisor = 16
    dut = UartRx(divisor)
    events = []

    async def monitor(ctx):
        async for _, _, stb, err, data in ctx.tick().sample(dut.stb, dut.err, dut.data):
            if stb or err:
                events.append(("byte", data) if stb else ("error", None))

    async def bench(ctx):
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(5)
        ctx.set(dut.rx, 0)  # a 3-cycle low pulse: not a start bit
        await ctx.tick().repeat(3)
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(12 * divisor)
        events.append("glitch over")
        await _drive(ctx, dut, line_bits(0xC3), divisor)
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(2 * divisor)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_process(monitor)
    sim.add_testbench(bench)
    sim.run()
    # nothing from the glitch; the next real character is framed
    assert events == ["glitch over", ("byte", 0xC3)]


@pytest.mark.parametrize("divisor", [4, 9])
def test_loopback(divisor):
    m = Module()
    m.submodules.tx = tx = UartTx(divisor)
    m.submodules.rx = rx = UartRx(divisor)
    m.d.comb += rx.rx.eq(tx.tx)
    data = list(range(0, 256, 7))
    got = []

    async def bench(ctx):
        for byte in data:
            ctx.set(tx.i.payload, byte)
            ctx.set(tx.i.valid, 1)
            await ctx.tick().until(tx.i.ready)
            await ctx.tick()
            ctx.set(tx.i.valid, 0)
        await ctx.tick().repeat(12 * divisor)

    async def monitor(ctx):
        async for _, _, stb, data_ in ctx.tick().sample(rx.stb, rx.data):
            if stb:
                got.append(data_)

    sim = Simulator(m)
    sim.add_clock(1e-6)
    sim.add_process(monitor)
    sim.add_testbench(bench)
    sim.run()
    assert got == data


def test_divisor_is_checked():
    for bad in (3, 0, 4.0, True, "8"):
        with pytest.raises(ValueError, match="Baud divisor must be an integer of at least 4"):
            UartTx(bad)
        with pytest.raises(ValueError, match="Baud divisor must be an integer of at least 4"):
            UartRx(bad)
