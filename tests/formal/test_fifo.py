"""Formal: the host link's result FIFO (gaba.boards.hostlink.ResultFifo) is
amaranth.lib.fifo.SyncFIFOBuffered cycle for cycle, and never holds more than its depth.

Both FIFOs take the same ``w_en``, ``w_data`` and ``r_en``, free in every clock; the harness
asserts that they offer the same ``w_rdy``, ``r_rdy``, ``level`` and (while ``r_rdy``) the same
``r_data``, and that the level stays within the depth: a word is written only when there is
room (a result the design hands over while the FIFO is full waits, the design's ``ready`` is
``w_rdy``), and read only when there is one. Bounded: every input sequence of ``depth``
clocks from reset, enough to fill, drain and wrap the pointers several times. The companion
gives the library FIFO one word more: the levels part when the smaller one fills.
"""

from __future__ import annotations

import pytest
from amaranth.hdl import Assert, Assume, Module, ResetSignal
from amaranth.lib import fifo, wiring
from amaranth.lib.wiring import In

from gaba.boards.hostlink import ResultFifo
from gaba.sim.formal import prove


class FifoMiter(wiring.Component):
    """ResultFifo(depth) against SyncFIFOBuffered(library_depth), the same inputs."""

    def __init__(self, width: int, depth: int, library_depth: int | None = None):
        self.width, self.depth = width, depth
        self.ours = ResultFifo(width=width, depth=depth)
        self.theirs = fifo.SyncFIFOBuffered(width=width, depth=library_depth or depth)
        super().__init__({"w_en": In(1), "w_data": In(width), "r_en": In(1)})

    def elaborate(self, platform):
        m = Module()
        m.submodules.ours = ours = self.ours
        m.submodules.theirs = theirs = self.theirs
        m.d.comb += Assume(~ResetSignal())
        for f in (ours, theirs):
            m.d.comb += [f.w_en.eq(self.w_en), f.w_data.eq(self.w_data), f.r_en.eq(self.r_en)]
        m.d.comb += [
            Assert(ours.w_rdy == theirs.w_rdy),
            Assert(ours.r_rdy == theirs.r_rdy),
            Assert(ours.level == theirs.level),
            Assert(ours.level <= self.depth),
        ]
        with m.If(ours.r_rdy):
            m.d.comb += Assert(ours.r_data == theirs.r_data)
        return m


@pytest.mark.parametrize(
    ("width", "depth", "clocks"), [(2, 4, 12), pytest.param(1, 5, 16, marks=pytest.mark.slow)]
)  # -m formal runs every case
def test_the_result_fifo_is_the_library_fifo(width, depth, clocks):
    result = prove(FifoMiter(width, depth), f"fifo-w{width}-d{depth}", depth=clocks, mode="bmc")
    assert result.passed, result.describe()


def test_a_fifo_of_another_depth_fails_the_proof():
    result = prove(FifoMiter(2, 4, library_depth=5), "fifo-other-depth", depth=12, mode="bmc")
    assert result.status == "FAIL", result.describe()
