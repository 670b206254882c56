# amaranth: UnusedElaboratable=no
"""gaba.boards.tops.nwta: parameters and the INFO payload (the protocol runs end to end
against the simulated top in tests/boards/test_host.py)."""

import struct

import pytest

from gaba.boards import protocol as P
from gaba.boards.tops.nwta import BoardTop
from gaba.golden.config import Config
from gaba.hdl.engine import result_layout


def test_info_payload_describes_the_design():
    cfg = Config.paper(n=12, latency=2, step_clocks=4)
    top = BoardTop(cfg, divisor=109, clock_hz=12_500_000, fifo_depth=16)
    info = P.Info.decode(top.info_payload())
    assert (info.kind, info.n, info.latency, info.fifo_depth) == ("nwta", 12, 2, 16)
    assert info.step_clocks == 4
    assert info.config_digest == cfg.digest() and info.result_bits == result_layout(cfg).size
    assert (info.clock_hz, info.divisor, info.max_steps) == (12_500_000, 109, cfg.max_steps)
    assert len(top.info_payload()) == struct.calcsize(P.INFO_FORMAT)
    assert (info.shared_noise, info.pipelined, info.products) == (False, False, "shift-add")
    wta = BoardTop(Config.paper(n=3, kind="wta"), divisor=8, clock_hz=1)
    assert P.Info.decode(wta.info_payload()).kind == "wta"
    # the build byte: a pipelined network with noise units and beta*D by multipliers
    built = cfg.replace(shared_noise=True, pipelined=True, products="multiplier")
    info = P.Info.decode(BoardTop(built, divisor=109, clock_hz=1).info_payload())
    assert (info.shared_noise, info.pipelined, info.products) == (True, True, "multiplier")


def test_parameters_are_checked():
    cfg = Config.paper(n=2)
    with pytest.raises(ValueError, match="BoardTop needs a gaba Config, not 3"):
        BoardTop(3, divisor=8, clock_hz=1)
    with pytest.raises(ValueError, match="Baud divisor must be an integer of at least 4, not 2"):
        BoardTop(cfg, divisor=2, clock_hz=1)
    with pytest.raises(ValueError, match="FIFO depth must be an integer in 2..255, not 1000"):
        BoardTop(cfg, divisor=8, clock_hz=1, fifo_depth=1000)
