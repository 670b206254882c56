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

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from amaranth.hdl import (
    Cat,
    Const,
    DomainRenamer,
    Elaboratable,
    Module,
    Mux,
    ResetInserter,
    Signal,
)
from amaranth.lib import fifo, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

import gaba
from gaba.boards import protocol as P
from gaba.boards.link import FrameReceiver, FrameSender
from gaba.boards.uart import UartRx, UartTx, check_divisor
from gaba.hdl import arith

__all__ = [
    "Command",
    "HostLinkTop",
    "Link",
    "ResultFifo",
    "registered",
    "run_start",
    "version_bytes",
    "word",
]


def version_bytes() -> tuple[int, int, int]:
    """gaba's version as INFO sends it (major, minor, patch)."""
    major, minor, patch = (int(x) for x in gaba.__version__.split(".")[:3])
    return major, minor, patch


def word(payload, lo: int, n: int):
    """Bytes ``lo .. lo + n - 1`` of a request payload as one little-endian value."""
    return Cat(*payload[lo : lo + n])


def run_start(m, engine, payload):
    """Wire a trial engine's run to a RUN request: ``seed``, ``first`` and ``count`` from the
    payload's first 12 bytes (its registers, which the next frame cannot reach before the
    engine latches them), ``start`` from the returned strobe. The strobe is a register that
    the RUN action sets for one clock, so that the command decoding and the engine's start
    (which fans out into its hash unit) are two short paths, not one long one."""
    go = Signal(name="run_go")
    m.d.sync += go.eq(0)
    m.d.comb += [
        engine.start.eq(go),
        engine.seed.eq(word(payload, 0, 4)),
        engine.first.eq(word(payload, 4, 4)),
        engine.count.eq(word(payload, 8, 4)),
    ]
    return go


def packed(fields):
    """``fields`` one after the other, each padded to whole bytes: the payload ``byte_source``
    sends, as one value."""
    return Cat(*(Cat(v, Const(0, -len(v) % 8)) for v in fields))


#: Bytes a reply may sit above the bottom of the reply shift register: they are shifted out
#: between its load, a clock after its frame's start, and the first payload byte (which
#: FrameSender fetches 12 clocks after ``start`` at the earliest: SYNC, LEN, then KIND after
#: LEN's 8 CRC clocks; a claim of the link checks it).
MAX_SKIP = 3


def shift_layout(replies: dict, max_skip: int = MAX_SKIP) -> dict:
    """The byte offset of each reply in the reply shift register: ``replies`` maps a key to a
    reply's fields (as ``packed`` lays them out), the result a key to its offset.

    A bit of the register costs a multiplexer input (a LUT input or more) for each distinct
    value it loads, so replies that send the same field (the same object, e.g. STATUS's and
    SUMMARY's ``taken``) are placed so that it sits at the same bits, if a few bytes of offset
    make that so; among the layouts of offsets 0 .. ``max_skip``, the one with the fewest
    (bit, value) pairs plus register bits, then the smallest offsets, is taken."""
    keys = list(replies)
    layouts = {}
    for k, fields in replies.items():
        layouts[k] = [
            ((id(f), j), min(8, len(f) - 8 * j)) for f in fields for j in range((len(f) + 7) // 8)
        ]
    best = None
    for offsets in itertools.product(range(max_skip + 1), repeat=len(keys)):
        seen = set()
        pairs = 0
        for k, o in zip(keys, offsets, strict=True):
            for p, (key, bits) in enumerate(layouts[k], o):
                if (p, key) not in seen:
                    seen.add((p, key))
                    pairs += bits
        width = max((o + len(layouts[k]) for k, o in zip(keys, offsets, strict=True)), default=0)
        cost = (pairs + 8 * width, sum(offsets), offsets)
        best = cost if best is None or cost < best else best
    return dict(zip(keys, best[2], strict=True))


def registered(m: Module, source):
    """A reply's ``(byte, length)`` with the byte passed through a register: the sender holds
    its index a cycle before it takes the byte, so the index-to-byte multiplexer and the
    choice among replies are two short paths."""
    byte, length = source
    reg = Signal(8)
    m.d.sync += reg.eq(byte)
    return reg, length


class ResultFifo(Elaboratable, fifo.FIFOInterface):
    """``amaranth.lib.fifo.SyncFIFOBuffered`` cycle for cycle (the same ``w_rdy``, ``r_rdy``,
    ``r_data`` and ``level`` for the same ``w_en`` and ``r_en``), built for a block RAM.

    Its storage is a memory of ``depth - 1`` words behind a read register, as
    SyncFIFOBuffered's, but of a power of two words (the pointers wrap without a compare),
    marked ``no_rw_check``: a word is never read in the cycle it is written (the pointers
    meet only when the memory is empty, and then nothing is read), so Yosys need not build
    the bypass that gives the old word then. It takes the mark when it merges a register
    into an asynchronous read port, so the port is written as one, the register beside it.
    (SyncFIFOBuffered's synchronous port gets the bypass: at n = 2, 57 flip-flops for the
    word and address written, a comparator and 52 multiplexers.)
    """

    def __init__(self, *, width: int, depth: int):
        if depth < 2:
            raise ValueError(f"ResultFifo depth must be at least 2, not {depth!r}")
        super().__init__(width=width, depth=depth)
        self.level = Signal(range(depth + 1))

    def elaborate(self, platform):
        m = Module()
        inner = self.depth - 1  # words in the memory; the read register holds one more
        ptr_bits = max(1, (inner - 1).bit_length())
        storage = Memory(shape=self.width, depth=1 << ptr_bits, init=[], attrs={"no_rw_check": 1})
        m.submodules.storage = storage
        w_port = storage.write_port()
        r_port = storage.read_port(domain="comb")
        # the read register, as a read port's: no reset (it is read only after a word was
        # loaded)
        r_data = Signal(self.width, reset_less=True)
        produce, consume = Signal(ptr_bits), Signal(ptr_bits)
        inner_level = Signal(range(inner + 1))
        do_write = self.w_rdy & self.w_en
        do_read = (inner_level != 0) & (~self.r_rdy | self.r_en)  # into the read register
        m.d.comb += [
            self.w_rdy.eq(inner_level != inner),
            w_port.addr.eq(produce),
            w_port.data.eq(self.w_data),
            w_port.en.eq(do_write),
            r_port.addr.eq(consume),
            self.r_data.eq(r_data),
            self.level.eq(inner_level + self.r_rdy),
            self.w_level.eq(self.level),
            self.r_level.eq(self.level),
        ]
        with m.If(do_write):
            m.d.sync += produce.eq(produce + 1)
        with m.If(do_read):
            m.d.sync += [r_data.eq(r_port.data), consume.eq(consume + 1), self.r_rdy.eq(1)]
        with m.Elif(self.r_en):
            m.d.sync += self.r_rdy.eq(0)
        with m.If(do_write & ~do_read):
            m.d.sync += inner_level.eq(inner_level + 1)
        with m.If(do_read & ~do_write):
            m.d.sync += inner_level.eq(inner_level - 1)
        return m


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
    reset : 1 in the cycle ABORT resets the design (but its ``abort_spares`` domains) and
        the FIFO.
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

    restarting: Signal = field(default_factory=lambda: Signal(name="restarting"))
    first_index: Signal = field(default_factory=lambda: Signal(32, name="first_index"))
    # ``restarting`` a clock later: a register of the host link
    restarted: Signal = field(default_factory=lambda: Signal(name="restarted"))

    def restart(self, m: Module, *, stream, first_index) -> None:
        """Statements for the cycle a run's command is accepted: the run's counters cleared.

        The host link clears them a clock later, from a register set by ``restarting``,
        outside the command decoder: each counter's clear is one flip-flop's output, the
        flip-flops' reset and enable, not a multiplexer per bit nor the decoder's logic and
        then a net across the device. The counters read as if cleared in the command's clock:
        ``clock`` is cleared to 1, ``rx_error`` to the error of that clock, and no result is
        taken nor RESULT frame ends in either clock (a run's command is refused while the link
        is busy, and the design starts a clock after it, :func:`run_start`). ``next_index``,
        which the frame sender beside the decoder reads, takes ``first_index`` in the
        command's clock: a register of 32 bits to hold it for a clock would cost as many
        logic cells, more than the iCEBreaker has to spare."""
        m.d.comb += [self.restarting.eq(1), self.first_index.eq(first_index)]
        m.d.sync += self.stream.eq(stream)


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
    #: Clocks from a reply frame's start to its load into the reply shift register (at least
    #: one): one, so that the choice of frame and the wide register's enable are two short
    #: paths (the claims check that the first byte is in place when the sender fetches it).
    reply_load_clocks = 1
    #: Clock domains of the design that ABORT does not reset: renamed to ``sync`` outside
    #: its ResetInserter (the same clock, only the reset differs). A design names one for
    #: registers whose every value a run reads is set at the run's own start (the nWTA
    #: engine's network: a load sets them), so that the reset need not reach them.
    abort_spares: tuple[str, ...] = ()

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

    def serial(self) -> tuple[wiring.Component, wiring.Component]:
        """The UART receiver and transmitter (a formal harness puts its free bytes there)."""
        return UartRx(self._divisor), UartTx(self._divisor)

    def elaborate(self, platform):
        # The receiver holds one checked request; the dispatcher takes it when no reply is
        # pending, runs its action and names the reply. The sender sends a pending reply
        # before any waiting result (so a command's reply precedes its first RESULT) and
        # otherwise streams results from the FIFO, popping each when its frame is out. The
        # counters move only when the design hands over a result; a reply of values that move
        # (STATUS, SUMMARY) is sent from a copy taken in the clock after its frame starts, so
        # every reply describes one moment and the design never waits for a reply.
        m = Module()
        m.submodules.uart_rx, m.submodules.uart_tx = urx, utx = self.serial()
        m.submodules.rx = frx = FrameReceiver(P.MAX_REQUEST, self._timeout)
        m.submodules.tx = ftx = FrameSender()
        abort = Signal()
        design = ResetInserter(abort)(self.design())
        if self.abort_spares:
            design = DomainRenamer({name: "sync" for name in self.abort_spares})(design)
        m.submodules[self.design_name] = design
        m.submodules.fifo = results = ResetInserter(abort)(
            ResultFifo(width=self._result_bits, depth=self._depth)
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
        # the run's counters cleared a clock after its command (Link.restart)
        m.d.sync += link.restarted.eq(link.restarting)
        with m.If(link.restarted):  # after the statements above: it comes first
            lost = urx.err | urx.overrun
            m.d.sync += [taken.eq(0), clock.eq(1), last.eq(0), rx_error.eq(lost)]
        commands = self.design_commands(m, design, link)
        state = self._dispatch(m, frx, ftx, results, link, commands, bad_frames)
        if arith.claiming(platform):
            self._claims(m, platform, frx, ftx, results, link, abort, state)
        return m

    def _dispatch(self, m, frx, ftx, results, link, commands, bad_frames):
        next_index = link.next_index
        # reply selection: 0 error, 1 result, 2 + k the k-th command's reply
        pending = Signal()
        reply = Signal(range(len(commands) + 2))
        err_code = Signal(8)
        err_cmd = Signal(8)
        # a strobe for each command with an action: its cycle of acceptance
        accepted = {
            k: Signal(name=f"accepted_{c.code:02x}")
            for k, c in enumerate(commands)
            if c.action is not None
        }

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
                                if k in accepted:
                                    m.d.comb += accepted[k].eq(1)
                            with m.Else():
                                m.d.sync += err_code.eq(P.E_BUSY)
        # each action under its own strobe, not inside the decoder: a register an action
        # clears then keeps its enable and its clear apart (Yosys maps them to the flip-flop's
        # enable and reset, not to a multiplexer per bit)
        for k, strobe in accepted.items():
            with m.If(strobe):
                commands[k].action(m, frx.payload)

        # The payload bytes of each reply. Replies of registers (ERROR, RESULT, and every
        # command's reply of values that move: STATUS, SUMMARY) are loaded into one shift
        # register in the clock after their frame starts (from a register: the choice of
        # frame and the wide register's enable are two short paths, not one long one), so
        # each describes one moment, each at its offset (``shift_layout``); the register
        # shifts a byte a clock until the reply's first byte is at the bottom, then a byte at
        # each fetch. Constant replies (INFO) are
        # read from a ROM by index, a reply given as a function from what it returns.
        shifted = {0: [err_code, err_cmd], 1: [next_index, results.r_data]}
        byte_sources = {}  # k -> (byte, length)
        for k, c in enumerate(commands, 2):
            if callable(c.reply):
                byte_sources[k] = c.reply(m, ftx.index)
            elif c.reply and all(isinstance(v, Const) for v in c.reply):
                data = b"".join(v.value.to_bytes((len(v) + 7) // 8, "little") for v in c.reply)
                rom = Memory(shape=8, depth=len(data), init=data, attrs={"rom_style": "block"})
                m.submodules[f"reply_{c.code:02x}"] = rom
                port = rom.read_port(domain="sync")
                m.d.comb += port.addr.eq(ftx.index)
                byte_sources[k] = (port.data, len(data))
            elif c.reply:
                shifted[k] = c.reply
        offsets = shift_layout(shifted)
        values = {k: Cat(Const(0, 8 * offsets[k]), packed(v)) for k, v in shifted.items()}
        lengths = {k: len(packed(v)) // 8 for k, v in shifted.items()}
        lengths.update({k: n for k, (_, n) in byte_sources.items()})

        if self.reply_load_clocks < 1:  # (the load select is set a clock ahead of the load)
            raise ValueError(f"reply_load_clocks must be at least 1, not {self.reply_load_clocks}")
        sh = Signal(max(len(v) for v in values.values()))
        skip = Signal(range(MAX_SKIP + 1))  # bytes still to shift out before the first
        load = {k: Signal(name=f"load_{k}") for k in shifted}  # the frame's start
        stages = {k: [load[k]] for k in shifted}  # the start, then reply_load_clocks later
        for k in shifted:
            for j in range(self.reply_load_clocks):
                stages[k].append(Signal(name=f"loading_{k}_{j}"))
                m.d.sync += stages[k][-1].eq(stages[k][-2])
        loading = {k: s[-1] for k, s in stages.items()}
        # The register's load select and its enable are flip-flops, each set a clock ahead
        # (the sender warns a clock before each fetch), so that the nets that fan out to
        # every bit of it leave registers, not logic. ``loads``: some reply loads;
        # ``shifting``: the register moves (it loads, or shifts towards the first byte, or
        # the sender fetches a byte).
        loads, shifting = Signal(), Signal()
        loads_next = Cat(*(s[-2] for s in stages.values())).any()
        # skip is nonzero in the next clock: a load with an offset now, or skip above 1
        skips_next = Mux(loads, Cat(*(loading[k] for k in shifted if offsets[k])).any(), skip > 1)
        m.d.sync += [
            loads.eq(loads_next),
            shifting.eq(loads_next | skips_next | ftx.fetch_next),
        ]
        with m.If(shifting):
            with m.If(loads):
                m.d.sync += sh.eq(reduce(or_, (Mux(loading[k], v, 0) for k, v in values.items())))
            with m.Else():
                m.d.sync += sh.eq(sh[8:])
        with m.If(loads):
            m.d.sync += skip.eq(reduce(or_, (Mux(loading[k], offsets[k], 0) for k in shifted)))
        with m.Elif(skip != 0):
            m.d.sync += skip.eq(skip - 1)

        # the byte source of the frame being sent: 0 the shift register, 1 + j the j-th other
        source = Signal(range(len(byte_sources) + 1))
        source_of = {k: 1 + j for j, k in enumerate(byte_sources)}
        with m.Switch(source):
            with m.Case(0):
                m.d.comb += ftx.data.eq(sh[:8])
            for k, (byte, _) in byte_sources.items():
                with m.Case(source_of[k]):
                    m.d.comb += ftx.data.eq(byte)

        kinds = {0: P.KIND_ERROR, 1: P.KIND_RESULT}
        kinds.update({2 + k: c.code | P.REPLY for k, c in enumerate(commands)})
        sending = Signal()
        result_frame = Signal()  # the frame being sent is a RESULT
        head = Signal()  # it pops the FIFO's head as it ends
        with m.If(~ftx.busy & ~sending):
            with m.If(pending):
                m.d.comb += ftx.start.eq(1)
                m.d.sync += [pending.eq(0), sending.eq(1), result_frame.eq(0)]
                with m.Switch(reply):
                    for k in kinds:
                        with m.Case(k):
                            m.d.comb += [ftx.kind.eq(kinds[k]), ftx.length.eq(lengths.get(k, 0))]
                            if k in load:
                                m.d.comb += load[k].eq(1)
                            m.d.sync += source.eq(source_of.get(k, 0))
            with m.Elif(results.r_rdy & ~frx.valid):
                # (a request taken in this clock goes first: its action, e.g. a RUN's
                # restart of the index, never meets a RESULT frame's start)
                m.d.comb += [ftx.start.eq(1), ftx.kind.eq(P.KIND_RESULT), load[1].eq(1)]
                m.d.comb += ftx.length.eq(lengths[1])
                m.d.sync += [sending.eq(1), result_frame.eq(1), source.eq(0)]
                m.d.sync += head.eq(1)
        # the RESULT frame being sent carries the FIFO's head, which it pops as it ends,
        # unless ABORT has cleared the FIFO since (a result written after would be lost)
        with m.If(ftx.done | link.reset):
            m.d.sync += head.eq(0)
        with m.If(ftx.done):
            m.d.sync += sending.eq(0)
            with m.If(head):
                m.d.comb += results.r_en.eq(1)
        # the next RESULT frame's index: one more after each, or the run's first
        with m.If(ftx.done & result_frame):
            m.d.sync += next_index.eq(next_index + 1)
        with m.Elif(link.restarting):
            m.d.sync += next_index.eq(link.first_index)
        return (
            (pending, reply, sending, result_frame, head),
            (Cat(*load.values()).any(), Cat(*loading.values()).any(), loads, shifting, skip),
        )

    @staticmethod
    def _claims(m, platform, frx, ftx, results, link, abort, state):
        """The link's claims (``arith.claim``), for a formal proof, some from registers kept
        for them alone:

        - every request frame the receiver holds is taken once, and gets exactly one reply
          frame, sent whole; no reply frame goes out without one;
        - a frame the receiver judged bad gets an ERROR reply;
        - the sender ends each frame it starts, once, and starts none while one is out;
        - a result the design hands over while results are streamed goes into the FIFO (it
          is never dropped there); it leaves the FIFO only at the end of a RESULT frame that
          started with it at the FIFO's head and found it there throughout (so it goes out
          in exactly one), unless ABORT cleared the FIFO;
        - a reply sent from the shift register was loaded after its frame started, and its
          first byte is at the bottom when the sender fetches it;
        - the shift register's load select and enable, flip-flops set a clock ahead, are the
          load, skip and fetch they stand for.
        """
        (
            (pending, reply, sending, result_frame, head),
            (load, loading_any, loads, shifting, skip),
        ) = state

        def claim(test, message):
            arith.claim(m, platform, test, message, src_loc_at=1)

        # requests taken less reply frames ended; whether the last one taken was bad
        owed, bad = Signal(range(4), name="claim_owed"), Signal(name="claim_bad")
        m.d.sync += owed.eq(owed + frx.take - (ftx.done & ~result_frame))
        with m.If(frx.take):
            m.d.sync += bad.eq(frx.error != 0)
        claim(owed == pending + (sending & ~result_frame), "one reply frame per request")
        claim(reply != 1, "a request's reply is never a RESULT")  # (1 is RESULT's number)
        claim(~(pending & bad) | (reply == 0), "a bad frame's reply is an ERROR")
        reply_starts = ftx.start & (ftx.kind != P.KIND_RESULT)
        claim(~(reply_starts & bad) | (ftx.kind == P.KIND_ERROR), "a bad frame's reply: ERROR")
        # the sender's frames: started less ended
        out = Signal(range(4), name="claim_frames_out")
        m.d.sync += out.eq(out + ftx.start - ftx.done)
        claim(out == sending, "the sender ends each frame it starts, once")
        claim(sending == ftx.busy, "a frame starts only when the sender is free")
        # a reply sent from the shift register was loaded since its frame started, and its
        # first byte is at the bottom when the sender fetches it (``loading``: the frame is
        # sent from the register; ``loaded``: the register was loaded since it started)
        loading, loaded = Signal(name="claim_loading"), Signal(name="claim_loaded")
        with m.If(ftx.start):
            m.d.sync += [loading.eq(load), loaded.eq(0)]
        with m.Elif(loads):
            m.d.sync += loaded.eq(1)
        # the register's load select and enable, each set a clock ahead, are what they stand
        # for (``fetch``: the sender takes a byte; FrameSender claims it comes after the
        # warning)
        fetch = Signal(name="claim_fetch")
        m.d.sync += fetch.eq(ftx.fetch_next)
        claim(loads == loading_any, "the reply register's load select is its loads")
        moves = loads | (skip != 0) | fetch
        claim(shifting == moves, "the reply register's enable: a load, a skip or a fetch")
        claim(~(sending & loading) | loaded | loads, "a reply is loaded as its frame starts")
        in_place = loaded & (skip == 0) & ~loads
        claim(~(fetch & loading) | in_place, "a reply's first byte is in place when fetched")
        # the result path
        claim(~link.accept | ~link.stream | results.w_rdy, "a streamed result is never dropped")
        result_starts = ftx.start & (ftx.kind == P.KIND_RESULT)
        claim(~result_starts | results.r_rdy, "a RESULT frame starts with a result at the head")
        # a RESULT frame out whose result no ABORT has cleared since it started
        carried = Signal(name="claim_carried")
        with m.If(result_starts):
            m.d.sync += carried.eq(1)
        with m.If(ftx.done | abort):
            m.d.sync += carried.eq(0)
        claim(~carried | (sending & result_frame & results.r_rdy), "its result stays at the head")
        claim(head == carried, "the frame pops the head it carried, unless ABORT cleared it")
        claim(~results.r_en | (ftx.done & carried), "a result leaves only as its frame ends")
        # what goes: the word a RESULT frame loads as it starts is the word it pops as it ends
        sent = Signal.like(results.r_data, name="claim_sent")
        with m.If(result_starts):
            m.d.sync += sent.eq(results.r_data)
        claim(~carried | (results.r_data == sent), "the head is the word its frame sends")
        popped_sent = results.r_rdy & (results.r_data == sent)
        claim(~results.r_en | popped_sent, "every word popped is the word its frame sent")
