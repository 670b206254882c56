"""The Földiák layer's board top: the layer with learning on chip behind the UART host link.

:class:`FoldiakBoardTop` puts :class:`gaba.hdl.foldiak.FoldiakLayer` behind the host link of
boards.hostlink (UART, framing, CRC, error replies, result FIFO; the same as the nWTA top's,
boards.tops.nwta). Commands (boards.protocol; docs/boards-foldiak.md):

- F_INIT (seed u32, run u32): CMD_INIT, run ``run`` of ``seed``: q from the init stream,
  w = 0, t = 0, the counters cleared.
- F_TRAIN (count u32, flags u8): ``count`` training presentations; with F_STREAM each result
  goes out as a RESULT frame (index u32: the presentation's index in the run, then the result
  word of ``presentation_layout``), else only the counters move.
- F_TEST (count u32, flags u8): ``count`` test patterns from the start of the run's test
  stream, no learning; results as for F_TRAIN.
- F_READ (which u8, row u16): q row ``row`` (q_ij of every unit i), w row ``row`` or t; the
  reply is the row's bytes, units packed from bit 0 (E_ARGUMENT for a row that does not
  exist).
- INFO, STATUS, SUMMARY (presentations, results taken, saturation flags, run clocks), ABORT.

F_INIT, F_TRAIN, F_TEST and F_READ are refused with E_BUSY while the layer works or results
wait in the FIFO.
"""

from __future__ import annotations

import struct

from amaranth.hdl import Cat, Mux, Signal

from gaba.boards import protocol as P
from gaba.boards.hostlink import Command, HostLinkTop, registered, version_bytes, word
from gaba.boards.link import byte_source
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.hdl.foldiak import (
    CMD_INIT,
    CMD_TEST,
    CMD_TRAIN,
    READ_Q,
    READ_T,
    READ_W,
    FoldiakLayer,
    foldiak_signature,
    presentation_layout,
    readback_width,
)

__all__ = ["FoldiakBoardTop", "check_config", "foldiak_info_payload"]

#: The longest payload a frame carries.
MAX_PAYLOAD = 255


def check_config(cfg) -> None:
    """ValueError unless ``cfg`` is a FoldiakConfig this top can carry: the layer's own checks
    (m = 64), and each weight row and each result in one frame."""
    if not isinstance(cfg, FoldiakConfig):
        raise ValueError(f"FoldiakBoardTop needs a FoldiakConfig, not {cfg!r}")
    foldiak_signature(cfg)
    result = 4 + (presentation_layout(cfg).size + 7) // 8
    longest = max(result, *P.f_row_bytes(cfg).values())
    if longest > MAX_PAYLOAD:
        raise ValueError(
            f"the Foldiak board top sends a weight row or a result in one frame of at most "
            f"{MAX_PAYLOAD} bytes; n = {cfg.n} needs {longest}"
        )


def foldiak_info_payload(
    cfg: FoldiakConfig, divisor: int, clock_hz: int, fifo_depth: int, kind: str = "foldiak"
):
    """The INFO reply's payload of a Foldiak board top with these parameters (``kind``: the
    design kind it names, ``foldiak`` or ``foldiak-digits``)."""
    return struct.pack(
        P.FOLDIAK_INFO_FORMAT,
        P.PROTOCOL_VERSION,
        *version_bytes(),
        P.DESIGN_KINDS[kind],
        cfg.m,
        cfg.n,
        P.digest_bytes(cfg.digest()),
        presentation_layout(cfg).size,
        clock_hz,
        divisor,
        fifo_depth,
        cfg.q_bits,
        cfg.w_bits,
        cfg.t_bits,
        cfg.y_bits,
        cfg.settle_steps,
        cfg.pre_presentations,
    )


class FoldiakBoardTop(HostLinkTop):
    """The Foldiak layer (``FoldiakLayer(cfg, source)`` of a FoldiakConfig), a result FIFO,
    its counters and the host link (the parameters and serial lines of
    :class:`~gaba.boards.hostlink.HostLinkTop`; when the FIFO is full the layer waits).
    ``source``: the layer's pattern source (``gaba.golden.foldiak.sources``: ``bars``,
    ``digits``); ``kind``: the design kind INFO names (``foldiak``, ``foldiak-digits``).

    ``leds``: bit 0 the layer works or results wait; bits 1.. the binary outputs y of units
    0, 1, ... in the last result. ValueError for a Config that is not a FoldiakConfig, an m
    other than the bars' 64, or a row or result longer than a frame's 255 payload bytes.
    """

    design_name = "layer"

    def __init__(self, cfg, *, source: str = "bars", kind: str = "foldiak", **link):
        if kind not in P.DESIGN_KINDS:
            raise ValueError(
                f"Design kind must be one of {', '.join(P.DESIGN_KINDS)}, not {kind!r}"
            )
        self._source, self._kind = source, kind
        super().__init__(cfg, **link)

    check_config = staticmethod(check_config)

    def result_layout(self):
        return presentation_layout(self._cfg)

    def info_payload(self) -> bytes:
        return foldiak_info_payload(
            self._cfg, self._divisor, self._clock_hz, self._depth, self._kind
        )

    def design(self):
        return FoldiakLayer(self._cfg, self._source)

    def design_commands(self, m, layer, link):
        cfg = self._cfg
        res = layer.res.payload

        # counters: they move when a result is taken, so SUMMARY shows one moment
        presentations = Signal(32)
        w_sat = Signal()
        t_sat = Signal()
        shown = Signal(len(self.leds) - 1)  # y of the first units in the last result
        with m.If(link.accept):
            m.d.sync += [
                w_sat.eq(res.w_sat),
                t_sat.eq(res.t_sat),
                shown.eq(Cat(*(res.ystar[i] > cfg.half for i in range(min(cfg.n, len(shown)))))),
            ]
            with m.If(res.train):
                m.d.sync += presentations.eq(layer.presentations)
        with m.If(link.reset):  # ABORT clears the layer's run, and so its counters
            m.d.sync += [presentations.eq(0), w_sat.eq(0), t_sat.eq(0)]
        m.d.comb += self.leds.eq(Cat(link.busy, shown))

        # the layer starts one cycle after its command is accepted (a registered strobe, as
        # the nWTA top's RUN); seed, run and count come from the request's payload registers
        payload = link.payload
        go = Signal()
        command = Signal(2)
        m.d.sync += go.eq(0)
        m.d.comb += [
            layer.start.eq(go),
            layer.cmd.eq(command),
            layer.seed.eq(word(payload, 0, 4)),
            layer.run.eq(word(payload, 4, 4)),
            layer.count.eq(word(payload, 0, 4)),
        ]

        def start(cmd, first_index, stream):
            m.d.sync += [go.eq(1), command.eq(cmd)]
            link.restart(m, stream=stream, first_index=first_index)

        def init(m, payload):
            start(CMD_INIT, 0, 0)
            m.d.sync += [presentations.eq(0), w_sat.eq(0), t_sat.eq(0)]

        def train(m, payload):
            start(CMD_TRAIN, layer.presentations, payload[4][0])

        def test(m, payload):
            start(CMD_TEST, 0, payload[4][0])

        flags_known = (payload[4] & ~P.F_STREAM) == 0

        # F_READ: the row is copied into a register two cycles after the command (the
        # layer's read port answers one clock after its address, and its address is a
        # register too), long before the reply's first payload byte; so the reply is
        # one row even if the next command starts the layer while it is being sent
        which, index = payload[0], word(payload, 1, 2)
        exists = Mux(
            which == READ_Q,
            index < cfg.m,
            Mux(which == READ_W, index < cfg.n, (which == READ_T) & (index == 0)),
        )
        rd_sel = Signal(2)
        rd_addr = Signal.like(layer.rd_addr)
        copy = Signal(2)
        row = Signal(readback_width(cfg))
        m.d.comb += [layer.rd_sel.eq(rd_sel), layer.rd_addr.eq(rd_addr)]
        m.d.sync += copy.eq(copy << 1)
        with m.If(copy[1]):
            m.d.sync += row.eq(layer.rd_data)

        def read(m, payload):
            m.d.sync += [rd_sel.eq(which), rd_addr.eq(index), copy.eq(1)]

        sizes = P.f_row_bytes(cfg)

        def row_reply(m, byte_index):
            byte, _ = byte_source([row], byte_index)
            length = Mux(
                rd_sel == READ_Q,
                sizes[P.F_READ_Q],
                Mux(rd_sel == READ_W, sizes[P.F_READ_W], sizes[P.F_READ_T]),
            )
            return registered(m, (byte, length))

        def refused_while_busy(code, reply, action, check=None):
            length = P.REQUEST_LENGTH[code]
            return Command(code, length, reply, action, allowed=~link.busy, check=check)

        summary = [presentations, link.taken, Cat(w_sat, t_sat), link.last]
        return [
            link.info,
            link.status,
            Command(P.CMD_SUMMARY, 0, summary),
            link.abort,
            refused_while_busy(P.CMD_F_INIT, [], init),
            refused_while_busy(P.CMD_F_TRAIN, [], train, check=flags_known),
            refused_while_busy(P.CMD_F_TEST, [], test, check=flags_known),
            refused_while_busy(P.CMD_F_READ, row_reply, read, check=exists),
        ]
