"""The board top: the trial engine behind a UART host link (protocol: boards.protocol).

:class:`BoardTop` is board-independent: its ports are the serial lines and a few LEDs.
:class:`PlatformTop` connects it to an amaranth-boards platform's ``uart`` and ``led``
resources. The Foldiak layer's board top extends :meth:`BoardTop.commands` with its own
commands (codes 0x10..0x1F, e.g. reading the learned weights through a memory read port
addressed by the reply's byte index).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from amaranth.hdl import (
    Cat,
    ClockDomain,
    ClockSignal,
    Const,
    Elaboratable,
    Module,
    Mux,
    ResetInserter,
    Signal,
)
from amaranth.lib import fifo, io, wiring
from amaranth.lib.cdc import ResetSynchronizer
from amaranth.lib.wiring import In, Out

import gaba
from gaba.boards import protocol as P
from gaba.boards.link import FrameReceiver, FrameSender, byte_source
from gaba.boards.uart import UartRx, UartTx, check_divisor
from gaba.golden.config import Config
from gaba.hdl.engine import TrialEngine, result_layout

__all__ = ["BoardTop", "Command", "PlatformTop", "info_payload"]


def info_payload(cfg: Config, divisor: int, clock_hz: int, fifo_depth: int) -> bytes:
    """The INFO reply's payload of a board top with these parameters."""
    major, minor, patch = (int(x) for x in gaba.__version__.split(".")[:3])
    return struct.pack(
        P.INFO_FORMAT,
        P.PROTOCOL_VERSION,
        major,
        minor,
        patch,
        P.DESIGN_KINDS[cfg.kind],
        cfg.n,
        P.digest_bytes(cfg.digest()),
        result_layout(cfg).size,
        cfg.max_steps,
        clock_hz,
        divisor,
        fifo_depth,
        cfg.latency,
        cfg.step_clocks,
    )


@dataclass
class Command:
    """One command of the host link, as the board top implements it.

    code : the KIND byte of the request; length : its payload bytes; reply : the reply's
    payload, a list of Amaranth values sent one after the other (each padded to whole bytes,
    little-endian) or a function ``(m, index) -> (byte, length)`` for payloads read from a
    memory; action : ``(m, payload) -> None``, statements for the cycle the command is
    accepted (``payload``: the request's bytes); allowed : a 1-bit value, else the command
    is refused with E_BUSY.
    """

    code: int
    length: int
    reply: list | Callable
    action: Callable | None = None
    allowed: object = None


class BoardTop(wiring.Component):
    """The trial engine, a result FIFO, the run's counters and the host link.

    Parameters
    ----------
    cfg : Config
        The network; the engine is ``TrialEngine(cfg, seeding="serial")``.
    divisor : int
        Clock cycles per UART bit.
    clock_hz : int
        The clock frequency, reported by INFO.
    fifo_depth : int
        Results buffered while the UART is busy; when it is full the engine waits
        (``res.ready`` low).
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
        Bit 0: a run is in progress; bit 1: the last trial decided for the top-input
        option; bits 2..: the last trial's winner (low bits).
    """

    def __init__(
        self,
        cfg: Config,
        *,
        divisor: int,
        clock_hz: int,
        fifo_depth: int = 32,
        timeout_bits: int = 4096,
        leds: int = 2,
    ):
        if not isinstance(cfg, Config):
            raise ValueError(f"BoardTop needs a gaba Config, not {cfg!r}")
        check_divisor(divisor)
        if not isinstance(fifo_depth, int) or not 2 <= fifo_depth <= 255:
            raise ValueError(f"FIFO depth must be an integer in 2..255, not {fifo_depth!r}")
        self._cfg, self._divisor, self._clock_hz = cfg, divisor, int(clock_hz)
        self._depth, self._timeout = fifo_depth, timeout_bits * divisor
        self._result_bits = result_layout(cfg).size
        super().__init__({"rx": In(1, init=1), "tx": Out(1, init=1), "leds": Out(leds)})

    @property
    def config(self) -> Config:
        return self._cfg

    @property
    def divisor(self) -> int:
        return self._divisor

    @property
    def result_bits(self) -> int:
        return self._result_bits

    def info_payload(self) -> bytes:
        """The INFO reply's payload for this top (constant)."""
        return info_payload(self._cfg, self._divisor, self._clock_hz, self._depth)

    def elaborate(self, platform):
        # The receiver holds one checked request; the dispatcher takes it when no reply is
        # pending, runs its action and names the reply. The sender sends a pending reply
        # before any waiting result (so a RUN's reply precedes its first RESULT: the engine
        # hashes for a hundred cycles first) and otherwise streams results from the FIFO,
        # popping each when its frame is out. The counters move only when the
        # engine hands over a result, and not while a STATUS or SUMMARY reply is being sent,
        # so every reply describes one moment.
        cfg = self._cfg
        m = Module()
        m.submodules.uart_rx = urx = UartRx(self._divisor)
        m.submodules.uart_tx = utx = UartTx(self._divisor)
        m.submodules.rx = frx = FrameReceiver(P.MAX_REQUEST, self._timeout)
        m.submodules.tx = ftx = FrameSender()
        abort = Signal()
        m.submodules.engine = engine = ResetInserter(abort)(TrialEngine(cfg, seeding="serial"))
        m.submodules.fifo = results = ResetInserter(abort)(
            fifo.SyncFIFOBuffered(width=self._result_bits, depth=self._depth)
        )
        m.d.comb += [
            urx.rx.eq(self.rx),
            self.tx.eq(utx.tx),
            frx.byte.eq(urx.data),
            frx.stb.eq(urx.stb),
        ]
        wiring.connect(m, ftx.o, utx.i)

        # run state and counters ------------------------------------------------------------
        stream = Signal()
        next_index = Signal(32)  # trial index of the next RESULT frame
        taken = Signal(32)  # results taken from the engine in this run
        decided, correct, saturated = Signal(32), Signal(32), Signal(32)
        steps = Signal(48)
        clock, last = Signal(48), Signal(48)  # cycles since the RUN; at the last result
        hold = Signal()  # a STATUS or SUMMARY reply is on its way
        rx_error = Signal()
        bad_frames = Signal(8)
        m.d.sync += clock.eq(clock + 1)
        with m.If(urx.err):
            m.d.sync += rx_error.eq(1)

        res = engine.res.payload
        accept = engine.res.valid & engine.res.ready
        m.d.comb += [
            results.w_data.eq(res.as_value()),
            results.w_en.eq(engine.res.valid & stream & ~hold),
            engine.res.ready.eq(~hold & (results.w_rdy | ~stream)),
        ]
        last_winner, last_correct = Signal(range(cfg.n)), Signal()
        hit = res.decided & (res.winner == res.top)
        with m.If(accept):
            m.d.sync += [
                taken.eq(taken + 1),
                decided.eq(decided + res.decided),
                correct.eq(correct + hit),
                saturated.eq(saturated + (res.eta_sat | res.r_sat)),
                steps.eq(steps + res.cycles),
                last.eq(clock),
                last_winner.eq(res.winner),
                last_correct.eq(hit),
            ]
        busy = Signal()
        m.d.comb += busy.eq(engine.busy | results.r_rdy)
        m.d.comb += self.leds.eq(Cat(busy, last_correct, last_winner))

        # commands --------------------------------------------------------------------------

        # RUN starts the engine one cycle after the command is accepted: the start strobe is
        # a register, so the command decoding and the engine's start (which fans out into
        # its hash unit) are two short paths, not one long one. seed, first and count come
        # from the request's payload registers, which the next frame cannot reach that soon.
        def word(payload, lo, n):
            return Cat(*payload[lo : lo + n])

        run_go = Signal()
        m.d.sync += run_go.eq(0)
        # ABORT likewise: the reset it gives the engine and the FIFO reaches every register
        abort_go = Signal()
        m.d.sync += abort_go.eq(0)
        m.d.comb += abort.eq(abort_go)
        m.d.comb += [
            engine.start.eq(run_go),
            engine.seed.eq(word(frx.payload, 0, 4)),
            engine.first.eq(word(frx.payload, 4, 4)),
            engine.count.eq(word(frx.payload, 8, 4)),
        ]

        def run(m, payload):
            flags = payload[12]
            m.d.sync += [
                run_go.eq(1),
                engine.top_en.eq(flags[0]),
                engine.top_in.eq(word(payload, 13, 2)),
                engine.delta_en.eq(flags[1]),
                engine.delta_in.eq(word(payload, 15, 2)),
                stream.eq(flags[2]),
                next_index.eq(word(payload, 4, 4)),
                taken.eq(0),
                decided.eq(0),
                correct.eq(0),
                saturated.eq(0),
                steps.eq(0),
                clock.eq(0),
                last.eq(0),
                rx_error.eq(0),
            ]

        def abort_run(m, payload):
            m.d.sync += abort_go.eq(1)

        status_flags = Signal(8)
        m.d.comb += status_flags.eq(busy | (stream << 1) | (rx_error << 2))
        commands = [
            Command(P.CMD_INFO, 0, [Const(b, 8) for b in self.info_payload()]),
            Command(P.CMD_STATUS, 0, [status_flags, taken, results.level, bad_frames]),
            Command(P.CMD_RUN, 17, [], action=run, allowed=~busy),
            Command(P.CMD_SUMMARY, 0, [taken, decided, correct, saturated, steps, last]),
            Command(P.CMD_ABORT, 0, [], action=abort_run),
            *self.commands(m, engine),
        ]
        self._dispatch(m, frx, ftx, results, next_index, commands, hold, bad_frames)
        return m

    def commands(self, m, engine) -> list[Command]:
        """Further commands (a subclass's); the base top has none."""
        return []

    def _dispatch(self, m, frx, ftx, results, next_index, commands, hold, bad_frames):
        # reply selection: 0 error, 1 result, 2 + k the k-th command's reply
        pending = Signal()
        reply = Signal(range(len(commands) + 2))
        err_code, err_cmd = Signal(8), Signal(8)
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
                            with m.Elif(c.allowed if c.allowed is not None else 1):
                                m.d.sync += reply.eq(2 + k)
                                if c.action is not None:
                                    c.action(m, frx.payload)
                            with m.Else():
                                m.d.sync += err_code.eq(P.E_BUSY)

        # payload bytes of each reply. The sender holds ``index`` for a cycle before it takes
        # the byte, so each multiplexer's byte passes a register (the index-to-byte path and
        # the choice among replies are two short paths); a reply read from a memory is
        # already registered by the memory.
        def held(source):
            byte, length = source
            reg = Signal(8)
            m.d.sync += reg.eq(byte)
            return reg, length

        sources = {0: held(byte_source([err_code, err_cmd], ftx.index))}
        sources[1] = held(byte_source([next_index, results.r_data], ftx.index))
        for k, c in enumerate(commands):
            if callable(c.reply):
                sources[2 + k] = c.reply(m, ftx.index)
            elif c.reply:
                sources[2 + k] = held(byte_source(c.reply, ftx.index))
            else:
                sources[2 + k] = (Const(0, 8), 0)
        with m.Switch(sel):
            for k, (byte, _) in sources.items():
                with m.Case(k):
                    m.d.comb += ftx.data.eq(byte)

        kinds = {0: P.KIND_ERROR, 1: P.KIND_RESULT}
        kinds.update({2 + k: c.code | P.REPLY for k, c in enumerate(commands)})
        holding = {2 + k for k, c in enumerate(commands) if c.code in (P.CMD_STATUS, P.CMD_SUMMARY)}
        sending = Signal()
        with m.If(~ftx.busy & ~sending):
            with m.If(pending):
                m.d.comb += ftx.start.eq(1)
                m.d.sync += [sel.eq(reply), pending.eq(0), sending.eq(1)]
                with m.Switch(reply):
                    for k in sources:
                        with m.Case(k):
                            m.d.comb += [ftx.kind.eq(kinds[k]), ftx.length.eq(sources[k][1])]
            with m.Elif(results.r_rdy):
                m.d.comb += [ftx.start.eq(1), ftx.kind.eq(P.KIND_RESULT)]
                m.d.comb += ftx.length.eq(sources[1][1])
                m.d.sync += [sel.eq(1), sending.eq(1)]
        with m.If(ftx.done):
            m.d.sync += sending.eq(0)
            with m.If(sel == 1):
                m.d.comb += results.r_en.eq(1)
                m.d.sync += next_index.eq(next_index + 1)
        with m.Switch(sel):
            for k in holding:
                with m.Case(k):
                    m.d.comb += hold.eq(sending)


class PlatformTop(Elaboratable):
    """A :class:`BoardTop` on an amaranth-boards platform: its ``uart`` 0 and ``led`` 0..k-1
    resources.

    Parameters
    ----------
    top : BoardTop
    divide : int
        The sync domain's clock is the board clock divided by this (1: the platform's own
        clock and power-on reset). A divided clock comes from a flip-flop (nextpnr puts it on a
        global buffer); the sync domain is held in reset for 15 us after configuration, as
        amaranth's platforms do (iCE40 block RAMs read zeros until then).

    The divided clock's net is ``clk`` (the sync domain's clock signal, the name the netlist
    keeps); the build constrains it by that name.
    """

    def __init__(self, top: BoardTop, *, divide: int = 1):
        if not isinstance(divide, int) or divide < 1:
            raise ValueError(f"Clock divider must be a positive integer, not {divide!r}")
        self.top, self.divide = top, divide

    def elaborate(self, platform):
        m = Module()
        if self.divide > 1:
            self._divided_clock(m, platform)
        m.submodules.top = top = self.top
        uart = platform.request("uart", 0, dir="-")
        m.submodules.uart_rx = rx = io.Buffer("i", uart.rx)
        m.submodules.uart_tx = tx = io.Buffer("o", uart.tx)
        m.d.comb += [top.rx.eq(rx.i), tx.o.eq(top.tx)]
        for k in range(len(top.leds)):
            m.submodules[f"led{k}"] = led = io.Buffer("o", platform.request("led", k, dir="-"))
            m.d.comb += led.o.eq(top.leds[k])
        return m

    def _divided_clock(self, m, platform):
        clk_io = platform.request(platform.default_clk, dir="-")
        m.submodules.clk_buf = buf = io.Buffer("i", clk_io)
        m.domains.board = ClockDomain("board", reset_less=True, local=True)
        m.d.comb += ClockSignal("board").eq(buf.i)
        count = Signal(range(self.divide))
        sysclk = Signal(name="sysclk")
        m.d.board += [
            count.eq(Mux(count == self.divide - 1, 0, count + 1)),
            sysclk.eq(count < (self.divide + 1) // 2),
        ]
        delay = int(15e-6 * platform.default_clk_frequency)
        timer, ready = Signal(range(delay + 1)), Signal()
        with m.If(timer == delay):
            m.d.board += ready.eq(1)
        with m.Else():
            m.d.board += timer.eq(timer + 1)
        m.domains.sync = sync = ClockDomain("sync")
        m.d.comb += sync.clk.eq(sysclk)
        m.submodules.reset_sync = ResetSynchronizer(~ready, domain="sync")
