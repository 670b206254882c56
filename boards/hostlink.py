"""The host link every board top shares: UART, framing, command dispatch and result frames.

:class:`HostLinkTop` is a board top without its design. A subclass names the design (a
component with ``busy`` and a ``res`` stream of result words), its INFO payload, and its
counters and commands (:meth:`HostLinkTop.design_commands`); the base supplies the serial
lines, the frame receiver and sender (boards.link), a result FIFO whose words go out as
RESULT frames, the STATUS counters, INFO, STATUS and ABORT, and the dispatcher that answers
every request with exactly one reply or error (protocol: boards.protocol). The nWTA trial
engine's top (boards.tops.nwta) and the Foldiak layer's (boards.tops.foldiak) are its two
subclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from amaranth.hdl import Cat, Const, Module, ResetInserter, Signal
from amaranth.lib import fifo, wiring
from amaranth.lib.wiring import In, Out

import gaba
from gaba.boards import protocol as P
from gaba.boards.link import FrameReceiver, FrameSender, byte_source
from gaba.boards.uart import UartRx, UartTx, check_divisor

__all__ = ["Command", "HostLinkTop", "Link", "registered", "version_bytes", "word"]


def version_bytes() -> tuple[int, int, int]:
    """gaba's version as INFO sends it (major, minor, patch)."""
    major, minor, patch = (int(x) for x in gaba.__version__.split(".")[:3])
    return major, minor, patch


def word(payload, lo: int, n: int):
    """Bytes ``lo .. lo + n - 1`` of a request payload as one little-endian value."""
    return Cat(*payload[lo : lo + n])


def packed(fields):
    """``fields`` one after the other, each padded to whole bytes: the payload ``byte_source``
    sends, as one value."""
    return Cat(*(Cat(v, Const(0, -len(v) % 8)) for v in fields))


def registered(m: Module, source):
    """A reply's ``(byte, length)`` with the byte passed through a register: the sender holds
    its index a cycle before it takes the byte, so the index-to-byte multiplexer and the
    choice among replies are two short paths."""
    byte, length = source
    reg = Signal(8)
    m.d.sync += reg.eq(byte)
    return reg, length


@dataclass
class Command:
    """One command of the host link, as the board top implements it.

    code : the KIND byte of the request; length : its payload bytes; reply : the reply's
    payload, a list of Amaranth values sent one after the other (each padded to whole bytes,
    little-endian) or a function ``(m, index) -> (byte, length)`` for payloads read from a
    memory or a register (``length`` may be a value); action : ``(m, payload) -> None``,
    statements for the cycle the command is accepted (``payload``: the request's bytes);
    allowed : a 1-bit value, else the command is refused with E_BUSY; check : a 1-bit value
    of the payload, else the command is refused with E_ARGUMENT.
    """

    code: int
    length: int
    reply: list | Callable
    action: Callable | None = None
    allowed: object = None
    check: object = None


@dataclass
class Link:
    """The host link's state, as a design's commands see it (HostLinkTop.design_commands).

    payload : the held request's bytes; they stay put for a few cycles after a command is
        accepted (the next frame cannot arrive sooner).
    results : the result FIFO (``level``, ``r_rdy``, ``w_rdy``).
    accept : 1 in a cycle the design hands over a result: at once, unless results are
        streamed and the FIFO is full.
    busy : the design is busy or results wait in the FIFO.
    stream, next_index : results go into the FIFO (else they are only counted); the index
        the next RESULT frame carries.
    taken, clock, last : results taken in this run; clock cycles since the run's command;
        ``clock`` at the last result taken.
    rx_error : a character with a bad stop bit arrived since the run's command.
    reset : 1 in the cycle ABORT resets the design and the FIFO.
    info, status, abort : the INFO, STATUS and ABORT commands.
    """

    payload: object
    results: object
    accept: object
    busy: Signal
    stream: Signal
    next_index: Signal
    taken: Signal
    clock: Signal
    last: Signal
    rx_error: Signal
    reset: Signal
    info: Command
    status: Command
    abort: Command

    def restart(self, m: Module, *, stream, first_index) -> None:
        """Statements for the cycle a run's command is accepted: the run's counters cleared."""
        m.d.sync += [
            self.stream.eq(stream),
            self.next_index.eq(first_index),
            self.taken.eq(0),
            self.clock.eq(0),
            self.last.eq(0),
            self.rx_error.eq(0),
        ]


class HostLinkTop(wiring.Component):
    """A board top's host link around a design (see the module docstring).

    Parameters
    ----------
    cfg
        The design's Config (:meth:`check_config` says which kind).
    divisor : int
        Clock cycles per UART bit.
    clock_hz : int
        The clock frequency, reported by INFO.
    fifo_depth : int
        Results buffered while the UART is busy; when it is full the design waits (its
        ``res.ready`` is low).
    timeout_bits : int
        A request frame that stops for this many bit times is dropped (E_TIMEOUT).
    leds : int
        Width of ``leds``.

    Members
    -------
    rx : In(1)
        Serial line from the host.
    tx : Out(1)
        Serial line to the host.
    leds : Out(leds)
        The design's (:meth:`design_commands` drives them).
    """

    #: The design's submodule name.
    design_name = "engine"

    def __init__(
        self,
        cfg,
        *,
        divisor: int,
        clock_hz: int,
        fifo_depth: int = 32,
        timeout_bits: int = 4096,
        leds: int = 2,
    ):
        self.check_config(cfg)
        check_divisor(divisor)
        if not isinstance(fifo_depth, int) or not 2 <= fifo_depth <= 255:
            raise ValueError(f"FIFO depth must be an integer in 2..255, not {fifo_depth!r}")
        self._cfg = cfg
        self._divisor, self._clock_hz = divisor, int(clock_hz)
        self._depth, self._timeout = fifo_depth, timeout_bits * divisor
        self._result_bits = self.result_layout().size
        super().__init__({"rx": In(1, init=1), "tx": Out(1, init=1), "leds": Out(leds)})

    @property
    def config(self):
        return self._cfg

    @property
    def divisor(self) -> int:
        return self._divisor

    @property
    def clock_hz(self) -> int:
        return self._clock_hz

    @property
    def fifo_depth(self) -> int:
        return self._depth

    @property
    def result_bits(self) -> int:
        return self._result_bits

    # the design's part -------------------------------------------------------------------

    @staticmethod
    def check_config(cfg) -> None:
        """ValueError unless ``cfg`` is a Config of this top's design."""
        raise NotImplementedError

    def result_layout(self):
        """The layout of the design's result word (a RESULT frame's payload after its index)."""
        raise NotImplementedError

    def info_payload(self) -> bytes:
        """The INFO reply's payload (constant)."""
        raise NotImplementedError

    def design(self) -> wiring.Component:
        """A new design component: ``busy`` and a ``res`` stream of result words."""
        raise NotImplementedError

    def design_commands(self, m: Module, design, link: Link) -> list[Command]:
        """The design's counters, LEDs and start logic (statements into ``m``), and every
        command in dispatch order (``link.info``, ``link.status`` and ``link.abort`` among
        them)."""
        raise NotImplementedError

    # the link ----------------------------------------------------------------------------

    def elaborate(self, platform):
        # The receiver holds one checked request; the dispatcher takes it when no reply is
        # pending, runs its action and names the reply. The sender sends a pending reply
        # before any waiting result (so a command's reply precedes its first RESULT) and
        # otherwise streams results from the FIFO, popping each when its frame is out. The
        # counters move only when the design hands over a result; a reply of values that move
        # (STATUS, SUMMARY) is sent from a copy taken in the cycle its frame starts, so every
        # reply describes one moment and the design never waits for a reply.
        m = Module()
        m.submodules.uart_rx = urx = UartRx(self._divisor)
        m.submodules.uart_tx = utx = UartTx(self._divisor)
        m.submodules.rx = frx = FrameReceiver(P.MAX_REQUEST, self._timeout)
        m.submodules.tx = ftx = FrameSender()
        abort = Signal()
        m.submodules[self.design_name] = design = ResetInserter(abort)(self.design())
        m.submodules.fifo = results = ResetInserter(abort)(
            fifo.SyncFIFOBuffered(width=self._result_bits, depth=self._depth)
        )
        m.d.comb += [urx.rx.eq(self.rx), self.tx.eq(utx.tx)]
        wiring.connect(m, urx.o, frx.i)
        wiring.connect(m, ftx.o, utx.i)

        # run state and counters ------------------------------------------------------------
        stream = Signal()
        next_index = Signal(32)  # index of the next RESULT frame
        taken = Signal(32)  # results taken from the design in this run
        clock = Signal(48)  # cycles since the run's command
        last = Signal(48)  # clock at the last result taken
        rx_error = Signal()
        bad_frames = Signal(8)
        m.d.sync += clock.eq(clock + 1)
        with m.If(urx.err | urx.overrun):  # a byte lost either way
            m.d.sync += rx_error.eq(1)

        accept = design.res.valid & design.res.ready
        m.d.comb += [
            results.w_data.eq(design.res.payload.as_value()),
            results.w_en.eq(design.res.valid & stream),
            design.res.ready.eq(results.w_rdy | ~stream),
        ]
        with m.If(accept):
            m.d.sync += [taken.eq(taken + 1), last.eq(clock)]
        busy = Signal()
        m.d.comb += busy.eq(design.busy | results.r_rdy)

        # ABORT resets the design and the FIFO from a register, so the reset that reaches
        # every register is not one path with the command decoder
        abort_go = Signal()
        m.d.sync += abort_go.eq(0)
        m.d.comb += abort.eq(abort_go)

        def abort_run(m, payload):
            m.d.sync += abort_go.eq(1)

        status_flags = Signal(8)
        m.d.comb += status_flags.eq(busy | (stream << 1) | (rx_error << 2))
        link = Link(
            frx.payload,
            results,
            accept,
            busy,
            stream,
            next_index,
            taken,
            clock,
            last,
            rx_error,
            abort_go,
            info=Command(P.CMD_INFO, 0, [Const(b, 8) for b in self.info_payload()]),
            status=Command(P.CMD_STATUS, 0, [status_flags, taken, results.level, bad_frames]),
            abort=Command(P.CMD_ABORT, 0, [], action=abort_run),
        )
        commands = self.design_commands(m, design, link)
        self._dispatch(m, frx, ftx, results, next_index, commands, bad_frames)
        return m

    def _dispatch(self, m, frx, ftx, results, next_index, commands, bad_frames):
        # reply selection: 0 error, 1 result, 2 + k the k-th command's reply
        pending = Signal()
        reply = Signal(range(len(commands) + 2))
        err_code = Signal(8)
        err_cmd = Signal(8)
        sel = Signal.like(reply)  # the reply being sent

        with m.If(frx.valid & ~pending):
            m.d.comb += frx.take.eq(1)
            m.d.sync += [pending.eq(1), reply.eq(0), err_cmd.eq(frx.cmd)]
            with m.If(frx.error != 0):
                m.d.sync += err_code.eq(frx.error)
                with m.If(bad_frames != 0xFF):
                    m.d.sync += bad_frames.eq(bad_frames + 1)
            with m.Else():
                m.d.sync += err_code.eq(P.E_UNKNOWN)
                with m.Switch(frx.cmd):
                    for k, c in enumerate(commands):
                        with m.Case(c.code):
                            with m.If(frx.length != c.length):
                                m.d.sync += err_code.eq(P.E_LENGTH)
                            if c.check is not None:
                                with m.Elif(~c.check):
                                    m.d.sync += err_code.eq(P.E_ARGUMENT)
                            with m.Elif(c.allowed if c.allowed is not None else 1):
                                m.d.sync += reply.eq(2 + k)
                                if c.action is not None:
                                    c.action(m, frx.payload)
                            with m.Else():
                                m.d.sync += err_code.eq(P.E_BUSY)

        # payload bytes of each reply: each multiplexer's byte is registered (see
        # ``registered``); a reply read from a memory is already registered by the memory.
        # Replies of values that move (counters: STATUS, SUMMARY) share one copy, loaded in
        # the cycle their frame starts (below), so each describes one moment.
        sources = {0: registered(m, byte_source([err_code, err_cmd], ftx.index))}
        sources[1] = registered(m, byte_source([next_index, results.r_data], ftx.index))
        moving = {
            2 + k: packed(c.reply)
            for k, c in enumerate(commands)
            if isinstance(c.reply, list) and not all(isinstance(v, Const) for v in c.reply)
        }
        copy = Signal(max((len(v) for v in moving.values()), default=8))
        from_copy = registered(m, byte_source([copy], ftx.index))[0]
        for k, c in enumerate(commands, 2):
            if callable(c.reply):
                sources[k] = c.reply(m, ftx.index)
            elif k in moving:
                sources[k] = (from_copy, len(moving[k]) // 8)
            elif c.reply:
                sources[k] = registered(m, byte_source(c.reply, ftx.index))
            else:
                sources[k] = (Const(0, 8), 0)
        with m.Switch(sel):
            for k, (byte, _) in sources.items():
                with m.Case(k):
                    m.d.comb += ftx.data.eq(byte)

        kinds = {0: P.KIND_ERROR, 1: P.KIND_RESULT}
        kinds.update({2 + k: c.code | P.REPLY for k, c in enumerate(commands)})
        sending = Signal()
        with m.If(~ftx.busy & ~sending):
            with m.If(pending):
                m.d.comb += ftx.start.eq(1)
                m.d.sync += [sel.eq(reply), pending.eq(0), sending.eq(1)]
                with m.Switch(reply):
                    for k in sources:
                        with m.Case(k):
                            m.d.comb += [ftx.kind.eq(kinds[k]), ftx.length.eq(sources[k][1])]
                            if k in moving:
                                m.d.sync += copy.eq(moving[k])
            with m.Elif(results.r_rdy):
                m.d.comb += [ftx.start.eq(1), ftx.kind.eq(P.KIND_RESULT)]
                m.d.comb += ftx.length.eq(sources[1][1])
                m.d.sync += [sel.eq(1), sending.eq(1)]
        with m.If(ftx.done):
            m.d.sync += sending.eq(0)
            with m.If(sel == 1):
                m.d.comb += results.r_en.eq(1)
                m.d.sync += next_index.eq(next_index + 1)
