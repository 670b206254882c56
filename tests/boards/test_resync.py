"""Board.resync against a board that answers from a script: a line left mid-frame by a broken
request (the board takes the ABORT's bytes into that frame and answers with an error), or a
late reply to an earlier request, is cleared by sending the ABORT again; a board that keeps
refusing, or says nothing, raises."""

from __future__ import annotations

import pytest

from gaba.boards import protocol as P
from gaba.boards.host import Board, BoardError, BoardTimeout


class ScriptedBoard:
    """A transport whose board answers each request frame with the next reply of ``replies``
    (whole frames, or None for silence) and records the requests' kinds."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.requests: list[int] = []
        self.cleared = 0
        self._decoder = P.FrameDecoder(P.SYNC_REQUEST)
        self._out = bytearray()

    def write(self, data: bytes) -> None:
        for kind, _ in self._decoder.feed(data):
            self.requests.append(kind)
            reply = self.replies.pop(0)
            if reply is not None:
                self._out += reply

    def read(self, size: int, timeout: float) -> bytes:
        data = bytes(self._out[:size])
        del self._out[:size]
        return data

    def reset_input(self) -> None:
        self.cleared += 1
        self._out.clear()


def reply(kind: int, payload: bytes = b"") -> bytes:
    return P.encode_frame(kind, payload, sync=P.SYNC_REPLY)


ABORTED = reply(P.CMD_ABORT | P.REPLY)


def error(code: int, about: int = P.CMD_ABORT) -> bytes:
    return reply(P.KIND_ERROR, bytes([code, about]))


@pytest.mark.parametrize(
    "first",
    [
        error(P.E_TIMEOUT, 0x5A),  # the ABORT's bytes ended a frame cut off before it
        error(P.E_CRC, P.CMD_INFO),
        reply(P.CMD_INFO | P.REPLY, bytes(8)),  # a late reply to an earlier INFO
    ],
    ids=["timeout", "crc", "late-reply"],
)
def test_an_abort_taken_into_a_broken_frame_is_sent_again(first):
    line = ScriptedBoard([first, ABORTED])
    Board(line, timeout=0.2).resync()
    assert line.requests == [P.CMD_ABORT, P.CMD_ABORT]
    assert line.cleared == 2


def test_a_clean_line_takes_one_abort():
    line = ScriptedBoard([ABORTED])
    Board(line, timeout=0.2).resync()
    assert line.requests == [P.CMD_ABORT]


def test_a_board_that_keeps_refusing_raises_after_the_last_try():
    line = ScriptedBoard([error(P.E_CRC)] * Board.RESYNC_TRIES)
    with pytest.raises(BoardError, match="bad CRC") as e:
        Board(line, timeout=0.2).resync()
    assert e.value.code == P.E_CRC
    assert line.requests == [P.CMD_ABORT] * Board.RESYNC_TRIES


def test_a_silent_board_is_not_asked_again():
    line = ScriptedBoard([None])
    with pytest.raises(BoardTimeout):
        Board(line, timeout=0.2).resync()
    assert line.requests == [P.CMD_ABORT]
