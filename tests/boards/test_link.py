# amaranth: UnusedElaboratable=no
"""gaba.boards.link (frame receiver and sender) in the Amaranth simulator, against the
protocol's Python reference (gaba.boards.protocol: encode_frame, FrameDecoder, crc16)."""

import random

import pytest
from amaranth.hdl import Module, Signal
from amaranth.lib import fifo

from gaba.boards import protocol as P
from gaba.boards.hostlink import MAX_SKIP, ResultFifo, shift_layout
from gaba.boards.link import FrameReceiver, FrameSender, SerialCrc, byte_source
from tests.simulate import simulate


def _receive(chunks, *, timeout=200, max_payload=P.MAX_REQUEST, gap=8):
    """Feed ``chunks`` (bytes, or an int: that many idle cycles) to a FrameReceiver's stream,
    ``gap`` idle cycles after each byte (a UART's bytes come at least 40 cycles apart; the
    receiver's CRC takes 8 cycles a byte); take each held frame; return what it held: (error,
    cmd, length, payload)."""
    dut = FrameReceiver(max_payload, timeout)
    held = []

    async def bench(ctx):
        async def idle(cycles):
            for _ in range(cycles):
                if ctx.get(dut.valid):
                    n = ctx.get(dut.length)
                    payload = bytes(ctx.get(b) for b in dut.payload[: min(n, max_payload)])
                    held.append((ctx.get(dut.error), ctx.get(dut.cmd), n, payload))
                    ctx.set(dut.take, 1)
                    await ctx.tick()
                    ctx.set(dut.take, 0)
                else:
                    await ctx.tick()

        for chunk in chunks:
            if isinstance(chunk, int):
                await idle(chunk)
                continue
            for byte in chunk:
                ctx.set(dut.i.payload, byte)
                ctx.set(dut.i.valid, 1)
                assert ctx.get(dut.i.ready)  # the UART cannot wait: every byte is taken
                await ctx.tick()
                ctx.set(dut.i.valid, 0)
                await idle(gap)
        await idle(timeout + 10)

    simulate(dut, bench)
    return held


def test_receiver_takes_good_frames_and_skips_noise():
    run = P.run_payload(5, 6, 7, top=2)
    frames = [P.encode_frame(P.CMD_INFO), b"\x00\x13\xff", P.encode_frame(P.CMD_RUN, run)]
    held = _receive(frames)
    assert held == [(0, P.CMD_INFO, 0, b""), (0, P.CMD_RUN, 17, run)]


def test_receiver_reports_a_bad_crc():
    frame = bytearray(P.encode_frame(P.CMD_RUN, P.run_payload(1, 2, 3)))
    frame[7] ^= 0x10  # one payload bit
    held = _receive([bytes(frame), P.encode_frame(P.CMD_STATUS)])
    assert [h[:2] for h in held] == [(P.E_CRC, P.CMD_RUN), (0, P.CMD_STATUS)]
    # the CRC's bytes in the wrong order (least significant first) are a bad CRC too
    frame = bytearray(P.encode_frame(P.CMD_INFO))
    frame[-2:] = frame[-1:-3:-1]
    assert frame[-2] != frame[-1]
    held = _receive([bytes(frame), P.encode_frame(P.CMD_INFO)])
    assert [h[:2] for h in held] == [(P.E_CRC, P.CMD_INFO), (0, P.CMD_INFO)]


def test_receiver_times_out_a_truncated_frame():
    frame = P.encode_frame(P.CMD_RUN, P.run_payload(1, 2, 3))
    held = _receive([frame[:9], 300, P.encode_frame(P.CMD_INFO)], timeout=100)
    assert [h[:2] for h in held] == [(P.E_TIMEOUT, P.CMD_RUN), (0, P.CMD_INFO)]
    # a gap of the timeout's 100 cycles is no timeout (8 + 92 idle cycles, then the byte) ...
    held = _receive([frame[:9], 92, frame[9:]], timeout=100)
    assert [h[:2] for h in held] == [(0, P.CMD_RUN)]
    # ... and one cycle more is
    held = _receive([frame[:9], 93, frame[9:]], timeout=100)
    assert [h[:2] for h in held][:1] == [(P.E_TIMEOUT, P.CMD_RUN)]


def test_receiver_drops_an_overlong_frame_whole():
    long_frame = P.encode_frame(0x42, bytes(range(40)))
    held = _receive([long_frame, P.encode_frame(P.CMD_INFO)], max_payload=24)
    assert [h[:3] for h in held] == [(P.E_LENGTH, 0x42, 40), (0, P.CMD_INFO, 0)]


def test_receiver_ignores_bytes_while_a_frame_is_held():
    dut = FrameReceiver(24, 1000)
    second = P.encode_frame(P.CMD_STATUS)
    seen = []

    async def bench(ctx):
        for frame in (P.encode_frame(P.CMD_INFO), second):
            for byte in frame:  # 9 cycles apart: as fast as the receiver's CRC takes them
                ctx.set(dut.i.payload, byte)
                ctx.set(dut.i.valid, 1)
                await ctx.tick()
                ctx.set(dut.i.valid, 0)
                await ctx.tick().repeat(8)
        seen.append((ctx.get(dut.valid), ctx.get(dut.cmd)))
        ctx.set(dut.take, 1)
        await ctx.tick()
        ctx.set(dut.take, 0)
        await ctx.tick().repeat(5)
        seen.append(ctx.get(dut.valid))

    simulate(dut, bench)
    assert seen == [(1, P.CMD_INFO), 0]


@pytest.mark.parametrize("payload", [b"", b"\x5a", bytes(range(29)), bytes([0xA5, 0x5A] * 7)])
def test_sender_frames_match_the_reference(payload):
    """The payload comes from a synchronous 'memory' (one cycle behind ``index``), and the
    UART side takes bytes at irregular times."""
    m = Module()
    m.submodules.tx = dut = FrameSender()
    data = Signal(8)
    table = list(payload) or [0]
    m.d.sync += data.eq(byte_source([Signal(8, init=v) for v in table], dut.index)[0])
    m.d.comb += dut.data.eq(data)
    out = []
    done = []

    async def bench(ctx):
        ctx.set(dut.kind, 0x83)
        ctx.set(dut.length, len(payload))
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        rng = random.Random(len(payload))
        for _ in range(5000):
            ready = rng.random() < 0.3
            ctx.set(dut.o.ready, ready)
            if ready and ctx.get(dut.o.valid):
                out.append(ctx.get(dut.o.payload))
            if ctx.get(dut.done):
                done.append(len(out))
            await ctx.tick()
            if not ctx.get(dut.busy):
                break

    simulate(m, bench)
    assert bytes(out) == P.encode_frame(0x83, payload, sync=P.SYNC_REPLY)
    assert done == [len(out)]
    assert P.FrameDecoder().feed(bytes(out)) == [(0x83, payload)]


def test_byte_source_lays_fields_out_little_endian():
    m = Module()
    index = Signal(8)
    a, b, c = Signal(12, init=0xABC), Signal(8, init=0x5D), Signal(48, init=0x0102030405FF)
    byte, length = byte_source([a, b, c], index)
    out = Signal(8)
    m.d.comb += out.eq(byte)
    got = []

    async def bench(ctx):
        for k in range(length):
            ctx.set(index, k)
            got.append(ctx.get(out))

    simulate(m, bench, period=None)
    assert length == 9
    want = (0xABC).to_bytes(2, "little") + b"\x5d" + (0x0102030405FF).to_bytes(6, "little")
    assert bytes(got) == want


def _serial_crc(data: bytes, *, restart_at=None) -> int:
    """Fold ``data`` into a SerialCrc a byte each time it is not busy; ``restart_at``: the
    index of a byte before which ``start`` is strobed. Returns its CRC."""
    dut = SerialCrc()
    out = []

    async def bench(ctx):
        for k, byte in enumerate(data):
            if k == restart_at:
                ctx.set(dut.start, 1)
                await ctx.tick()
                ctx.set(dut.start, 0)
            ctx.set(dut.data, byte)
            ctx.set(dut.valid, 1)
            await ctx.tick()
            ctx.set(dut.valid, 0)
            busy = 0
            while ctx.get(dut.busy):
                busy += 1
                await ctx.tick()
            assert busy == 8
        out.append(ctx.get(dut.crc))

    simulate(dut, bench)
    return out[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_serial_crc_is_the_protocols_crc(seed):
    data = random.Random(seed).randbytes(1 + seed * 7)
    assert _serial_crc(data) == P.crc16(data)
    # the CRC of a frame followed by its CRC (high byte first) is 0: the receiver's check
    crc = P.crc16(data)
    assert _serial_crc(data + bytes([crc >> 8, crc & 0xFF])) == 0
    # start drops what came before
    assert _serial_crc(b"\x55\xaa" + data, restart_at=2) == P.crc16(data)


def test_serial_crc_refuses_a_reflected_algorithm():
    from amaranth.lib.crc import catalog

    with pytest.raises(ValueError, match="most significant first"):
        SerialCrc(catalog.CRC16_ARC(data_width=8).algorithm)


def _fifo_trace(make, seed, cycles=600):
    """Drive a FIFO from ``make()`` with random ``w_en``, ``r_en`` and data; return, cycle by
    cycle, (w_rdy, r_rdy, r_data if r_rdy, level)."""
    dut = make()
    trace = []

    async def bench(ctx):
        rng = random.Random(seed)
        for cycle in range(cycles):
            phase = (cycle // 100) % 3  # filling, draining, mixed
            ctx.set(dut.w_en, rng.random() < (0.8, 0.2, 0.5)[phase])
            ctx.set(dut.r_en, rng.random() < (0.2, 0.8, 0.5)[phase])
            ctx.set(dut.w_data, rng.getrandbits(dut.width))
            r_rdy = ctx.get(dut.r_rdy)
            trace.append(
                (
                    ctx.get(dut.w_rdy),
                    r_rdy,
                    ctx.get(dut.r_data) if r_rdy else None,
                    ctx.get(dut.level),
                )
            )
            await ctx.tick()

    simulate(dut, bench)
    return trace


@pytest.mark.parametrize("depth", [2, 3, 5, 32])
def test_result_fifo_is_sync_fifo_buffered_cycle_for_cycle(depth):
    for seed in (1, 2):
        ours = _fifo_trace(lambda: ResultFifo(width=12, depth=depth), seed)
        ref = _fifo_trace(lambda: fifo.SyncFIFOBuffered(width=12, depth=depth), seed)
        assert ours == ref
        assert any(t[0] == 0 for t in ref) and any(t[1] == 0 for t in ref)  # full and empty


def test_result_fifo_comparison_sees_another_depth():
    # the companion: a FIFO of one word less differs in the same comparison
    ours = _fifo_trace(lambda: ResultFifo(width=12, depth=4), 1)
    assert ours != _fifo_trace(lambda: fifo.SyncFIFOBuffered(width=12, depth=5), 1)


def test_shift_layout_puts_a_shared_field_at_the_same_bits():
    a, b, c = Signal(16), Signal(8), Signal(8)
    # a sits at byte 0 of one reply and byte 1 of the other: one of them moves by a byte
    offsets = shift_layout({"x": [a, b], "y": [c, a]})
    assert offsets["x"] + 0 == offsets["y"] + 1
    # replies with nothing in common are not moved
    assert shift_layout({"x": [a], "y": [b, c]}) == {"x": 0, "y": 0}
    # a shared field further up than MAX_SKIP bytes is left where it is
    far = [Signal(8) for _ in range(MAX_SKIP + 1)]
    assert shift_layout({"x": [b], "y": [*far, b]}) == {"x": 0, "y": 0}
