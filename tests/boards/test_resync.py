"""Board.resync against a board that answers from a script: a line left mid-frame by a broken
request (the board takes the ABORT's bytes into that frame and answers with an error), or a
late reply to an earlier request, is cleared by sending the ABORT again; a board that keeps
refusing, or says nothing, raises."""

from __future__ import annotations

import pytest

from gaba.boards import protocol as P
from gaba.boards.host import Board, BoardError, BoardTimeout


class Late(bytes):
    """A reply that reaches the host only after it next clears its input."""


class ScriptedBoard:
    """A transport whose board answers each request frame with the next entry of ``replies``
    (frames, :class:`Late` ones arriving after the host's next ``reset_input``; an empty
    tuple for silence) and records the requests' kinds."""

    def __init__(self, replies):
        self.replies = [r if isinstance(r, tuple) else (r,) for r in replies]
        self.requests: list[int] = []
        self.cleared = 0
        self._decoder = P.FrameDecoder(P.SYNC_REQUEST)
        self._out = bytearray()
        self._late = bytearray()

    def write(self, data: bytes) -> None:
        for kind, _ in self._decoder.feed(data):
            self.requests.append(kind)
            for frame in self.replies.pop(0):
                if isinstance(frame, Late):
                    self._late += frame
                else:
                    self._out += frame

    def read(self, size: int, timeout: float) -> bytes:
        data = bytes(self._out[:size])
        del self._out[:size]
        return data

    def reset_input(self) -> None:
        self.cleared += 1
        self._out[:] = self._late
        self._late.clear()

    def clean(self) -> bool:
        """Nothing more to come: no reply waiting, none owed."""
        return not self._out and not self._late and not self.replies


def reply(kind: int, payload: bytes = b"") -> bytes:
    return P.encode_frame(kind, payload, sync=P.SYNC_REPLY)


ABORTED = reply(P.CMD_ABORT | P.REPLY)


def error(code: int, about: int = P.CMD_ABORT) -> bytes:
    return reply(P.KIND_ERROR, bytes([code, about]))


def test_an_abort_taken_into_a_broken_frame_is_sent_again():
    line = ScriptedBoard([error(P.E_TIMEOUT, 0x5A), ABORTED])
    board = Board(line, timeout=0.2)
    board.resync()
    assert line.requests == [P.CMD_ABORT, P.CMD_ABORT]
    assert line.clean() and not board._frames


def test_an_abort_answered_after_a_late_error_leaves_a_clean_line():
    """The error is the broken frame's, and the first ABORT's reply comes after the line
    was cleared for the second: both ABORT replies are taken, none is left for the next
    command."""
    line = ScriptedBoard([(error(P.E_CRC, P.CMD_INFO), Late(ABORTED)), ABORTED])
    board = Board(line, timeout=0.2)
    board.resync()
    assert line.requests == [P.CMD_ABORT, P.CMD_ABORT]
    assert line.clean() and not board._frames


def test_a_late_reply_to_an_earlier_request_is_skipped():
    line = ScriptedBoard([(reply(P.CMD_INFO | P.REPLY, bytes(8)), ABORTED)])
    board = Board(line, timeout=0.2)
    board.resync()
    assert line.requests == [P.CMD_ABORT]
    assert line.clean() and not board._frames


def test_a_stray_abort_reply_before_a_commands_reply_is_skipped():
    line = ScriptedBoard([(ABORTED, reply(P.CMD_STATUS | P.REPLY, b"xy"))])
    assert Board(line, timeout=0.2).command(P.CMD_STATUS) == b"xy"


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
    line = ScriptedBoard([()])
    with pytest.raises(BoardTimeout):
        Board(line, timeout=0.2).resync()
    assert line.requests == [P.CMD_ABORT]


def test_a_board_of_another_protocol_is_named_by_its_version():
    # a protocol-2 nWTA board's INFO (30 bytes, no build byte): the host names the version,
    # not the length it cannot decode
    old = bytes([2, 0, 1, 0, 1]) + bytes(25)
    board = Board(ScriptedBoard([reply(P.CMD_INFO | P.REPLY, old)]), timeout=0.2)
    with pytest.raises(BoardError, match="the board speaks protocol 2, this host 3 .rebuild"):
        board.info()
