"""Hostile bytes into the simulated board (Verilator): random streams and every single-bit
corruption of every command frame. The board never hangs (it answers INFO after each), every
corrupted frame whose SYNC survives gets an error reply, and no result is lost or duplicated
(a run after all of it is complete, in order and bit-exact).

The default run tries :data:`STREAMS` random streams and two bit flips; the slow tier tries
:data:`SLOW_STREAMS` streams and every bit flip of every command's frame.
"""

from __future__ import annotations

import random

import pytest

from gaba.boards import protocol as P
from gaba.boards.host import Board, BoardError, BoardTimeout
from gaba.boards.simboard import SimTransport
from gaba.golden.config import Config
from gaba.sim import designs

CFG = Config.paper(n=4, dt=2.0**-4, horizon=30.0)  # the board of tests/boards/test_host.py
STREAMS, SLOW_STREAMS = 12, 400
#: Replies a corrupted frame may get: its CRC fails, or a corrupted length makes the board
#: wait for bytes that never come (the inter-byte timeout) or refuse a length it cannot hold.
CORRUPT = {P.E_CRC, P.E_TIMEOUT, P.E_LENGTH}
COMMANDS = {
    "INFO": (P.CMD_INFO, b""),
    "STATUS": (P.CMD_STATUS, b""),
    "RUN": (P.CMD_RUN, P.run_payload(9, 0, 2)),
    "SUMMARY": (P.CMD_SUMMARY, b""),
    "ABORT": (P.CMD_ABORT, b""),
}


@pytest.fixture(scope="module")
def board():
    with SimTransport(CFG) as transport:
        yield Board(transport, timeout=5.0)


def frames_until_quiet(board: Board, quiet: float = 0.1) -> list[tuple[int, bytes]]:
    """Every frame the board sends until it has been silent for ``quiet`` seconds."""
    frames = []
    while True:
        try:
            frames.append(board._next_frame(quiet))
        except BoardTimeout:
            return frames
        except BoardError:  # a reply garbled by a garbled request: skip it, keep listening
            continue


def answers(board: Board) -> bool:
    """The board is idle and answers INFO (a clean line first: resync)."""
    board.resync()
    return board.info().config_digest == CFG.digest()


def random_streams(seed: int, count: int) -> list[bytes]:
    """Random byte streams, half of them seeded with SYNC and real command codes."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        size = rng.randint(1, 48)
        data = bytearray(rng.getrandbits(8) for _ in range(size))
        if k % 2:  # frames' beginnings inside the noise: SYNC, a command, a length
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(data))
                data[at : at + 3] = bytes(
                    [P.SYNC_REQUEST, rng.choice(list(P.COMMANDS)), rng.randint(0, 30)]
                )
        out.append(bytes(data))
    return out


def run_is_whole(board: Board, seed: int) -> None:
    """A run of 16 trials: every result arrives once, in order, bit-exact."""
    board.start(seed, 100, 16)
    results = board.results(16)
    assert [r.trial for r in results] == list(range(100, 116))
    report = designs.get("nwta").check_board(CFG, results, seed=seed, first=100)
    assert report.bit_exact, report.first_mismatch
    assert frames_until_quiet(board) == []  # and nothing more


def hostile_streams(board, count: int, seed: int) -> int:
    bad_before = board.status().bad_frames
    for stream in random_streams(seed, count):
        board.transport.write(stream)
        frames_until_quiet(board)
        assert answers(board), stream.hex()  # no hang: it answers at once
    run_is_whole(board, seed)
    return board.status().bad_frames - bad_before


def test_random_streams_leave_the_board_answering_and_runs_whole(board):
    assert hostile_streams(board, STREAMS, seed=1) > 0  # the streams were seen as bad frames


@pytest.mark.slow
def test_many_random_streams(board):
    assert hostile_streams(board, SLOW_STREAMS, seed=2) > 0


def bit_flips(board, name: str) -> tuple[int, int]:
    """Every single-bit corruption of one command's frame: (error replies, silent)."""
    cmd, payload = COMMANDS[name]
    frame = P.encode_frame(cmd, payload)
    errors = silent = 0
    for at in range(len(frame)):
        for bit in range(8):
            bad = bytearray(frame)
            bad[at] ^= 1 << bit
            board.transport.write(bytes(bad))
            frames = frames_until_quiet(board)
            kinds = [kind for kind, _ in frames]
            if at == 0:  # the SYNC itself: no frame began, nothing to answer
                assert frames == [], (name, at, bit, frames)
                silent += 1
            else:
                assert kinds == [P.KIND_ERROR], (name, at, bit, frames)
                assert frames[0][1][0] in CORRUPT, (name, at, bit, frames)
                errors += 1
            assert answers(board)
    return errors, silent


@pytest.mark.slow  # about 0.25 s a corrupted frame: 40 (INFO) to 152 (RUN) a command
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_bit_flip_of_a_frame_gets_its_error_reply(board, name):
    errors, silent = bit_flips(board, name)
    assert silent == 8 and errors == 8 * (len(P.encode_frame(*COMMANDS[name])) - 1)
    run_is_whole(board, seed=3)


def test_a_bit_flip_in_the_crc_and_in_the_sync(board):
    # the default run's share: a flipped CRC bit gets E_CRC; a flipped SYNC gets nothing
    frame = bytearray(P.encode_frame(P.CMD_INFO))
    for at, want in ((len(frame) - 1, [P.E_CRC]), (0, [])):
        bad = bytearray(frame)
        bad[at] ^= 0x10
        board.transport.write(bytes(bad))
        assert [payload[0] for _, payload in frames_until_quiet(board)] == want
        assert answers(board)


class _Dropping:
    """A transport that loses ``count`` bytes from the ``at``-th byte read on."""

    def __init__(self, inner, at: int, count: int):
        self.inner, self.at, self.count, self.seen = inner, at, count, 0

    def write(self, data):
        self.inner.write(data)

    def read(self, size, timeout):
        data = self.inner.read(size, timeout)
        keep = bytes(
            b for k, b in enumerate(data, self.seen) if not self.at <= k < self.at + self.count
        )
        self.seen += len(data)
        return keep


def test_a_lost_result_is_caught(board):
    # companion of run_is_whole: a run whose fifth result frame loses its bytes on the way
    # fails it (here, a frame cut short breaks its CRC or the count runs out)
    answers(board)
    frame_bytes = 4 + P.result_bytes(designs.get("nwta").result_layout(CFG).size)
    host = Board(_Dropping(board.transport, at=4 * frame_bytes + 2, count=3), timeout=1.0)
    with pytest.raises((AssertionError, BoardError)):
        run_is_whole(host, seed=5)
    assert answers(board)


def test_a_request_cut_off_right_before_a_resync(board):
    """The board still receives the cut frame when the resync's ABORT comes: it takes the
    ABORT's bytes into that frame and refuses it; the resync sends it again."""
    for _ in range(3):
        board.transport.write(bytes([P.SYNC_REQUEST, 30, P.CMD_INFO, 1, 2, 3]))
        assert answers(board)
