"""gaba.boards.protocol: CRC, framing and the reply payloads."""

import random
import struct

import pytest

from gaba.boards import protocol as P


def crc16_bitwise(data: bytes) -> int:
    """CRC-16/CCITT-FALSE written out from its definition, bit by bit, most significant first
    (the hand-written CRC the link used before it took amaranth's catalogue entry)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def test_crc16_is_ccitt_false():
    assert P.crc16(b"123456789") == 0x29B1  # the catalogue's check value
    assert P.crc16(b"") == 0xFFFF
    assert P.CRC16.residue() == 0  # what the board's receiver checks a whole frame against
    rng = random.Random(1)
    for data in (bytes(range(256)), *(rng.randbytes(rng.randrange(40)) for _ in range(50))):
        assert P.crc16(data) == crc16_bitwise(data), data.hex()


# Frames as the hand-written CRC put them on the wire: the bytes must never change.
WIRE = [
    ((P.CMD_INFO, b"", P.SYNC_REQUEST), "a500010d2e"),
    (
        (P.CMD_RUN, P.run_payload(1, 2, 3, top=1), P.SYNC_REQUEST),
        "a511030100000002000000030000000501000000bfd2",
    ),
    (
        (P.KIND_RESULT, bytes(range(17)), P.SYNC_REPLY),
        "5a11c0000102030405060708090a0b0c0d0e0f102446",
    ),
    ((P.KIND_ERROR, bytes([P.E_CRC, P.CMD_RUN]), P.SYNC_REPLY), "5a02ee0103d1ca"),
]


@pytest.mark.parametrize("frame,wire", WIRE)
def test_frames_are_the_bytes_they_always_were(frame, wire):
    kind, payload, sync = frame
    got = P.encode_frame(kind, payload, sync=sync)
    assert got.hex() == wire
    assert int.from_bytes(got[-2:], "big") == crc16_bitwise(got[1:-2])


def test_a_frame_checks_to_zero():
    frame = P.encode_frame(P.CMD_RUN, P.run_payload(1, 2, 3, top=1))
    assert frame[0] == P.SYNC_REQUEST and frame[1] == 17 and frame[2] == P.CMD_RUN
    assert P.crc16(frame[1:]) == 0  # CRC sent most significant byte first
    with pytest.raises(ValueError, match="Payload must be at most 255 bytes, not 256"):
        P.encode_frame(1, bytes(256))


def test_decoder_splits_frames_across_reads_and_skips_noise():
    a = P.encode_frame(P.KIND_RESULT, b"abcdef", sync=P.SYNC_REPLY)
    b = P.encode_frame(P.CMD_INFO | P.REPLY, b"", sync=P.SYNC_REPLY)
    stream = b"\x00\x01" + a + b"\xa5" + b
    dec = P.FrameDecoder()
    got = []
    for k in range(0, len(stream), 3):
        got += dec.feed(stream[k : k + 3])
    assert got == [(P.KIND_RESULT, b"abcdef"), (P.CMD_INFO | P.REPLY, b"")]
    assert dec.skipped == 3 and dec.pending == 0


def test_decoder_resynchronises_after_a_bad_frame():
    good = P.encode_frame(P.KIND_RESULT, b"abc", sync=P.SYNC_REPLY)
    bad = bytearray(good)
    bad[4] ^= 1
    dec = P.FrameDecoder()
    with pytest.raises(P.ProtocolError, match="bad CRC"):
        dec.feed(b"\x00\x01" + bytes(bad) + good)
    assert dec.feed(b"") == [(P.KIND_RESULT, b"abc")]


def test_run_payload_layout():
    p = P.run_payload(0x11223344, 5, 6, top=3, delta_q=0x1234, stream=False)
    assert len(p) == P.REQUEST_LENGTH[P.CMD_RUN]
    assert struct.unpack("<IIIBHH", p) == (0x11223344, 5, 6, P.RUN_TOP | P.RUN_DELTA, 3, 0x1234)
    assert P.run_payload(1, 2, 3)[12] == P.RUN_STREAM


def test_reply_payloads_decode():
    digest = "0123456789abcdef"
    info = struct.pack(
        P.INFO_FORMAT,
        3,
        0,
        1,
        0,
        1,
        16,
        P.digest_bytes(digest),
        60,
        25600,
        6_000_000,
        52,
        32,
        2,
        5,
        P.INFO_SHARED_NOISE | P.INFO_MULTIPLIER,
    )
    i = P.Info.decode(info)
    assert (i.kind, i.n, i.config_digest, i.version, i.latency) == ("nwta", 16, digest, "0.1.0", 2)
    assert i.step_clocks == 5
    assert (i.shared_noise, i.pipelined, i.products) == (True, False, "multiplier")
    assert "5 clock(s) per step, shared noise, products multiplier" in i.details()
    assert round(i.baud) == 115385
    s = P.Status.decode(struct.pack(P.STATUS_FORMAT, P.ST_BUSY | P.ST_RX_ERROR, 7, 3, 2))
    assert s.busy and s.rx_error and not s.streaming and (s.results, s.fifo_level) == (7, 3)
    raw = struct.pack("<IIII", 9, 8, 7, 1) + (2**40 + 5).to_bytes(6, "little") + bytes(6)
    m = P.Summary.decode(raw)
    assert (m.trials, m.decided, m.correct, m.saturated, m.steps, m.run_cycles) == (
        9,
        8,
        7,
        1,
        2**40 + 5,
        0,
    )
    with pytest.raises(P.ProtocolError, match="STATUS reply of 3 bytes, expected 7"):
        P.Status.decode(b"abc")
