"""gaba.boards.session: a board opened with the host driver of its design (the board
registry), without a board: a stand-in serial port, a missing one, a design without a top."""

import pytest

from gaba.boards import session
from gaba.boards.host import Board, BoardError, FoldiakBoard
from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.sim import designs


class FakePort:
    def __init__(self, port, baud):
        self.port, self.baud, self.closed = port, baud, False

    def close(self):
        self.closed = True


@pytest.mark.parametrize(
    "cfg,driver",
    [(Config.paper(n=2), Board), (Config.paper(n=3, kind="wta"), Board),
     (FoldiakConfig.paper(n=4), FoldiakBoard)],
)  # fmt: skip
def test_the_board_speaks_with_its_design_s_host_driver(monkeypatch, cfg, driver):
    monkeypatch.setattr(session, "SerialTransport", FakePort)
    link = session.connect("/dev/board", cfg, baud=9600, timeout=0.25)
    with link as board:
        assert type(board) is driver and board.timeout == 0.25
        assert board.transport is link.transport and link.transport.baud == 9600
        if driver is FoldiakBoard:
            assert board.config is cfg
    assert link.transport.closed


def test_a_design_without_a_board_top_is_refused_before_any_port_opens(monkeypatch):
    monkeypatch.setattr(session, "SerialTransport", None)  # would fail if called
    cfg = designs.get("serial-integrator").config()
    with pytest.raises(ValueError, match="serial-integrator has no board top"):
        session.connect("/dev/board", cfg, baud=115200, design="serial-integrator")


def test_a_missing_serial_port_is_a_board_error():
    with pytest.raises(BoardError, match="cannot open serial port /dev/gaba-no-such-port"):
        session.connect("/dev/gaba-no-such-port", Config.paper(n=2), baud=115200)
