"""The board top of every self-running trial engine (``gaba.hdl.argmax.ScoreEngine``).

:class:`ScoreBoardTop` puts the engine of any design of the design registry whose component
is a ScoreEngine (argmax, kwta, topk-tree, maass-parity, htm, htm-digits, ...) behind the host
link of boards.hostlink (UART, framing, CRC, error replies, result FIFO; the same as the nWTA
top's, boards.tops.nwta). Nothing in it names a design: the engine's own signature says which
run inputs it takes beyond ``seed``, ``first`` and ``count``, and its ``res`` layout what a
result is. Commands (boards.protocol):

- RUN (seed u32, first u32, count u32, flags u8, then each of the engine's other run inputs
  as a u32, in the order its signature declares them): ``count`` trials from ``first``; with
  RUN_STREAM each result goes out as a RESULT frame (the trial's index u32, then the
  engine's result word), else only the counters move. E_ARGUMENT for a flag other than
  RUN_STREAM or a run input too wide for its port; E_BUSY while a run is in progress or
  results wait in the FIFO.
- INFO (:data:`~gaba.boards.protocol.SCORE_INFO_FORMAT`: the design's registry name among
  it), STATUS, SUMMARY (results taken, run clocks), ABORT.
"""

from __future__ import annotations

import struct

from amaranth.hdl import Cat, Shape, Signal
from amaranth.lib.wiring import In

from gaba.boards import protocol as P
from gaba.boards.hostlink import Command, HostLinkTop, run_start, version_bytes, word
from gaba.hdl.argmax import ScoreEngine

__all__ = [
    "ENGINE_PORTS",
    "ScoreBoardTop",
    "check_design",
    "check_engine",
    "run_inputs",
    "pack_score_info",
    "score_info_payload",
]

#: The ports every ScoreEngine has; any other is a run input the RUN command carries.
ENGINE_PORTS = ("start", "seed", "first", "count", "busy", "res")
#: The longest design name INFO carries.
NAME_BYTES = 16
#: The longest payload a frame carries (a RESULT: the trial's index and the result word).
MAX_PAYLOAD = 255


def run_inputs(design) -> tuple[str, ...]:
    """The run inputs of ``design``'s engine beyond seed, first and count, in the order RUN
    carries them: those its registry entry declares (``run_inputs``), which the engine's
    signature must declare in the same order (:func:`check_engine`)."""
    return tuple(design.run_inputs(1))


def check_design(design, cfg) -> None:
    """ValueError unless the score top can carry ``design`` at ``cfg``: a Config of the
    design, its run inputs in one RUN, its result in one frame, its name in INFO."""
    if not isinstance(cfg, design.config_type):
        raise ValueError(f"{design.name} needs a {design.config_type.__name__}, not {cfg!r}")
    inputs = run_inputs(design)
    if P.score_run_length(len(inputs)) > P.MAX_REQUEST:
        raise ValueError(
            f"RUN carries at most {(P.MAX_REQUEST - P.score_run_length(0)) // 4} run inputs; "
            f"{design.name} has {len(inputs)}"
        )
    result = 4 + P.result_bytes(design.result_layout(cfg).size)
    if result > MAX_PAYLOAD:
        raise ValueError(
            f"a RESULT frame carries at most {MAX_PAYLOAD} bytes; {design.name} n = {cfg.n} "
            f"needs {result}"
        )
    if len(design.name.encode("ascii")) > NAME_BYTES:
        raise ValueError(f"INFO names a design in {NAME_BYTES} bytes, not {design.name!r}")


def check_engine(design, cfg):
    """``design``'s engine of ``cfg`` (a new one), or ValueError unless the score top can
    carry it (:func:`check_design`): a ScoreEngine whose ports beyond the standard ones are
    inputs of at most 32 bits, the run inputs of its registry entry in the same order.
    Returns the engine and its run inputs' widths by name."""
    check_design(design, cfg)
    engine = design.component(cfg)
    if not isinstance(engine, ScoreEngine):
        raise ValueError(f"ScoreBoardTop needs a ScoreEngine, not {type(engine).__name__}")
    members = engine.signature.members
    extra = tuple(name for name in members if name not in ENGINE_PORTS)
    if extra != run_inputs(design):
        raise ValueError(
            f"{design.name}'s engine has the run inputs {', '.join(extra) or 'none'}; its "
            f"design entry declares {', '.join(run_inputs(design)) or 'none'}"
        )
    widths = {name: Shape.cast(members[name].shape).width for name in extra}
    for name, width in widths.items():
        if members[name].flow != In or width > 32:
            raise ValueError(
                f"a score engine's run input is an input of at most 32 bits; {name} is not"
            )
    return engine, widths


def pack_score_info(
    cfg, name: str, result_bits: int, divisor: int, clock_hz: int, depth: int, inputs: int
) -> bytes:
    """A score-kind INFO payload (``gaba.boards.protocol.SCORE_INFO_FORMAT``) of design
    ``name`` (at most 16 ASCII bytes), with ``inputs`` run inputs."""
    if len(name.encode("ascii")) > 16:
        raise ValueError(f"INFO names a design in 16 bytes, not {name!r}")
    return struct.pack(
        P.SCORE_INFO_FORMAT,
        P.PROTOCOL_VERSION,
        *version_bytes(),
        P.DESIGN_KINDS["score"],
        cfg.n,
        P.digest_bytes(cfg.digest()),
        result_bits,
        clock_hz,
        divisor,
        depth,
        inputs,
        name.encode("ascii"),
    )


def score_info_payload(design, cfg, divisor: int, clock_hz: int, fifo_depth: int) -> bytes:
    """The INFO reply's payload of the score top of ``design`` (a ScoreTrials entry of the
    design registry) with these parameters."""
    check_design(design, cfg)
    size = design.result_layout(cfg).size
    inputs = len(run_inputs(design))
    return pack_score_info(cfg, design.name, size, divisor, clock_hz, fifo_depth, inputs)


class ScoreBoardTop(HostLinkTop):
    """A score engine (``design.component(cfg)``), a result FIFO, its counters and the host
    link (the parameters and serial lines of :class:`~gaba.boards.hostlink.HostLinkTop`;
    when the FIFO is full the engine waits).

    Parameters
    ----------
    cfg
        The design's Config.
    design
        Its entry of the design registry (``gaba.sim.designs``), whose component is a
        :class:`~gaba.hdl.argmax.ScoreEngine`.

    ``leds``: bit 0 a run is in progress or results wait; bits 1.. the low bits of the
    results taken. ValueError for an engine this top cannot carry (:func:`check_engine`).
    """

    def __init__(self, cfg, *, design, **link):
        self._design = design
        # the engine checked is the one the top elaborates first (an engine never elaborated
        # is an Amaranth warning)
        self._engine, self._inputs = check_engine(design, cfg)
        super().__init__(cfg, **link)

    @property
    def inputs(self) -> dict[str, int]:
        """The engine's run inputs RUN carries after its flags, in order: name -> width."""
        return dict(self._inputs)

    @staticmethod
    def check_config(cfg) -> None:
        pass  # the engine is checked against its design's Config in __init__ (check_engine)

    def result_layout(self):
        return self._design.result_layout(self._cfg)

    def info_payload(self) -> bytes:
        return score_info_payload(
            self._design, self._cfg, self._divisor, self._clock_hz, self._depth
        )

    def design(self):
        engine, self._engine = self._engine, None
        return engine or self._design.component(self._cfg)

    def design_commands(self, m, engine, link):
        m.d.comb += self.leds.eq(Cat(link.busy, link.taken))

        # RUN starts the engine one cycle after the command is accepted (run_start): seed,
        # first and count come from the request's payload registers, which the engine latches
        # at its start. The other run inputs are the engine's to read throughout the run, so
        # they are held in registers of their own, loaded with the command.
        payload = link.payload
        go = run_start(m, engine, payload)
        flags = payload[12]
        known = (flags & ~P.RUN_STREAM) == 0
        held = []
        for j, (name, width) in enumerate(self._inputs.items()):
            value = word(payload, P.score_run_length(j), 4)
            register = Signal(width, name=f"run_{name}")
            m.d.comb += getattr(engine, name).eq(register)
            held.append((register, value[:width]))
            known &= value[width:] == 0  # (an empty slice is 0: a 32-bit input)

        def run(m, payload):
            m.d.sync += [go.eq(1), *(r.eq(v) for r, v in held)]
            link.restart(m, stream=(flags & P.RUN_STREAM) != 0, first_index=word(payload, 4, 4))

        length = P.score_run_length(len(self._inputs))
        return [
            link.info,
            link.status,
            Command(P.CMD_RUN, length, [], action=run, allowed=~link.busy, check=known),
            Command(P.CMD_SUMMARY, 0, [link.taken, link.last]),
            link.abort,
        ]
