"""The host link's protocol, defined once for the board top (HDL) and the host driver.

Frames (both directions)::

    SYNC  LEN  KIND  PAYLOAD[LEN]  CRC_HI  CRC_LO

- ``SYNC`` is :data:`SYNC_REQUEST` (0xA5) from the host and :data:`SYNC_REPLY` (0x5A) from the
  board; a receiver skips bytes until it sees its SYNC.
- ``LEN`` counts the payload bytes only (0..255).
- ``KIND`` is the command (host to board) or the reply kind (board to host).
- ``CRC`` is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no
  final XOR) over LEN, KIND and the payload, sent most significant byte first, so the CRC run
  over a whole good frame after SYNC leaves 0.
- Multi-byte payload fields are little-endian.

The host sends one command and waits for its reply (an error reply included) before it sends
the next. Every command gets exactly one reply. ``RESULT`` frames are sent unasked while a run
streams its results, and may come before a command's reply.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from amaranth.lib.crc import catalog

__all__ = [
    "COMMANDS",
    "CRC16",
    "ERRORS",
    "FoldiakInfo",
    "FoldiakSummary",
    "FrameDecoder",
    "Info",
    "ProtocolError",
    "ScoreInfo",
    "ScoreSummary",
    "Status",
    "Summary",
    "crc16",
    "encode_frame",
]

PROTOCOL_VERSION = 3
SYNC_REQUEST = 0xA5
SYNC_REPLY = 0x5A
HEADER = 3  # SYNC, LEN, KIND
TRAILER = 2  # CRC

# Commands (host to board). 0x01..0x05 are every design's (INFO and SUMMARY with the
# design's payload), RUN the trial engines' (the nWTA engine's payload is REQUEST_LENGTH's;
# a score engine's, score_run_payload, is as long as its run inputs make it); 0x10..0x1F
# are the Foldiak layer's (boards.tops.foldiak); 0x20.. for later designs.
CMD_INFO = 0x01
CMD_STATUS = 0x02
CMD_RUN = 0x03
CMD_SUMMARY = 0x04
CMD_ABORT = 0x05
CMD_F_INIT = 0x10  # seed u32, run u32: start a run of the layer (CMD_INIT)
CMD_F_TRAIN = 0x11  # count u32, flags u8: training presentations (CMD_TRAIN)
CMD_F_TEST = 0x12  # count u32, flags u8: test patterns (CMD_TEST)
CMD_F_READ = 0x13  # which u8, row u16: one row of q or w, or t
COMMANDS = {
    CMD_INFO: "INFO",
    CMD_STATUS: "STATUS",
    CMD_RUN: "RUN",
    CMD_SUMMARY: "SUMMARY",
    CMD_ABORT: "ABORT",
    CMD_F_INIT: "F_INIT",
    CMD_F_TRAIN: "F_TRAIN",
    CMD_F_TEST: "F_TEST",
    CMD_F_READ: "F_READ",
}
#: Request payload length of each command.
REQUEST_LENGTH = {
    CMD_INFO: 0,
    CMD_STATUS: 0,
    CMD_RUN: 17,
    CMD_SUMMARY: 0,
    CMD_ABORT: 0,
    CMD_F_INIT: 8,
    CMD_F_TRAIN: 5,
    CMD_F_TEST: 5,
    CMD_F_READ: 3,
}

# Reply kinds (board to host): a command's reply is the command | 0x80.
REPLY = 0x80
KIND_RESULT = 0xC0
KIND_ERROR = 0xEE

# Error codes (payload of an ERROR reply: code, then the command concerned or 0).
E_CRC = 0x01  # bad CRC: the frame was dropped
E_UNKNOWN = 0x02  # unknown command
E_LENGTH = 0x03  # payload length wrong for the command (or longer than the board buffers)
E_BUSY = 0x04  # RUN while a run is in progress
E_TIMEOUT = 0x05  # the frame stopped arriving (inter-byte gap): truncated, dropped
E_ARGUMENT = 0x06  # a payload field out of range (e.g. F_READ of a row that does not exist)
ERRORS = {
    E_CRC: "bad CRC",
    E_UNKNOWN: "unknown command",
    E_LENGTH: "bad payload length",
    E_BUSY: "busy",
    E_TIMEOUT: "truncated frame (inter-byte timeout)",
    E_ARGUMENT: "bad argument",
}

# RUN flags
RUN_TOP = 0x01  # use the payload's top for every trial
RUN_DELTA = 0x02  # use the payload's delta (x's format) for every trial
RUN_STREAM = 0x04  # send each trial's RESULT frame (else only the counters are kept)

# STATUS flags
ST_BUSY = 0x01
ST_STREAM = 0x02
ST_RX_ERROR = 0x04  # sticky: some character had a bad stop bit since the last RUN

# F_TRAIN and F_TEST flags
F_STREAM = 0x01  # send each presentation's RESULT frame (else only the counters are kept)

# F_READ: which (the layer's read-back select, gaba.hdl.foldiak.READ_Q/READ_W/READ_T)
F_READ_Q, F_READ_W, F_READ_T = 0, 1, 2

#: The design kind INFO names (its fifth byte): "score" is every trial engine of
#: ``gaba.hdl.argmax.ScoreEngine`` (boards.tops.score; its INFO names the design), and
#: "foldiak-digits" the Foldiak layer on the digits' image ROM.
DESIGN_KINDS = {"nwta": 1, "wta": 2, "foldiak": 3, "score": 4, "foldiak-digits": 5}

#: Longest request payload the board buffers (RUN's 17 bytes and a little room; every buffered
#: byte is 8 flip-flops).
MAX_REQUEST = 20

#: The frame CRC, defined once for both sides: CRC-16/CCITT-FALSE (polynomial 0x1021, initial
#: value 0xFFFF, no reflection, no final XOR; amaranth's catalogue entry, also named
#: CRC-16/IBM-3740) over bytes. ``CRC16.compute(bytes)`` is the host's CRC, ``CRC16.create()``
#: the board's CRC processor; its residue is 0, so a good frame after SYNC checks to 0.
CRC16 = catalog.CRC16_CCITT_FALSE(data_width=8)


class ProtocolError(Exception):
    """A frame failed its checks, or the board answered with an error reply."""


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of ``data``: :data:`CRC16`'s software model, the same parameters the
    board's CRC processors are built from (boards.link)."""
    return CRC16.compute(data)


def encode_frame(kind: int, payload: bytes = b"", *, sync: int = SYNC_REQUEST) -> bytes:
    """One whole frame."""
    if len(payload) > 255:
        raise ValueError(f"Payload must be at most 255 bytes, not {len(payload)}")
    body = bytes([len(payload), kind]) + bytes(payload)
    return bytes([sync]) + body + crc16(body).to_bytes(2, "big")


class FrameDecoder:
    """Splits a byte stream into frames: ``feed`` bytes, get ``(kind, payload)`` tuples.

    Bytes before a SYNC are skipped (and counted in ``skipped``). A frame whose CRC fails
    raises ProtocolError; the decoder then resumes at the byte after that frame's SYNC.
    """

    def __init__(self, sync: int = SYNC_REPLY):
        self.sync = sync
        self.buf = bytearray()
        self.skipped = 0

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self.buf += data
        frames = []
        while True:
            start = self.buf.find(self.sync)
            if start < 0:
                self.skipped += len(self.buf)
                self.buf.clear()
                return frames
            self.skipped += start
            del self.buf[:start]
            if len(self.buf) < HEADER:
                return frames
            length = self.buf[1]
            end = HEADER + length + TRAILER
            if len(self.buf) < end:
                return frames
            frame = bytes(self.buf[:end])
            if crc16(frame[1:]) != 0:
                del self.buf[:1]
                raise ProtocolError(
                    f"reply frame with a bad CRC (kind 0x{frame[2]:02x}, {length} bytes)"
                )
            del self.buf[:end]
            frames.append((frame[2], frame[HEADER : HEADER + length]))

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame held back."""
        return len(self.buf)


# Payloads -----------------------------------------------------------------------------------


def run_payload(seed: int, first: int, count: int, *, top=None, delta_q=None, stream=True) -> bytes:
    flags = (RUN_TOP if top is not None else 0) | (RUN_DELTA if delta_q is not None else 0)
    flags |= RUN_STREAM if stream else 0
    return struct.pack("<IIIBHH", seed, first, count, flags, top or 0, delta_q or 0)


#: A score engine's RUN: seed, first, count (u32 each), flags (u8: RUN_STREAM only), then each
#: of the engine's other run inputs as a u32, in the order the engine declares them.
SCORE_RUN_HEAD = "<IIIB"


def score_run_length(inputs: int) -> int:
    """Bytes of a score engine's RUN payload with ``inputs`` other run inputs."""
    return struct.calcsize(SCORE_RUN_HEAD) + 4 * inputs


def score_run_payload(seed: int, first: int, count: int, inputs=(), *, stream=True) -> bytes:
    """A score engine's RUN payload (``inputs``: its other run inputs' values, in order)."""
    head = struct.pack(SCORE_RUN_HEAD, seed, first, count, RUN_STREAM if stream else 0)
    return head + b"".join(struct.pack("<I", v) for v in inputs)


def f_init_payload(seed: int, run: int) -> bytes:
    return struct.pack("<II", seed, run)


def f_count_payload(count: int, *, stream: bool = True) -> bytes:
    """F_TRAIN's and F_TEST's payload."""
    return struct.pack("<IB", count, F_STREAM if stream else 0)


def f_read_payload(which: int, row: int = 0) -> bytes:
    return struct.pack("<BH", which, row)


def f_row_bytes(cfg) -> dict[int, int]:
    """Bytes of F_READ's reply for each ``which`` (a FoldiakConfig's q row, w row, t): n
    values of q_bits, w_bits or t_bits, packed from bit 0."""
    bits = {F_READ_Q: cfg.q_bits, F_READ_W: cfg.w_bits, F_READ_T: cfg.t_bits}
    return {which: (cfg.n * b + 7) // 8 for which, b in bits.items()}


#: INFO: protocol, gaba version (3 bytes), design kind, n, Config digest (8 bytes), result
#: payload bits, max_steps, clock (Hz), baud divisor, FIFO depth, latency, clocks per step,
#: the network's build (INFO_SHARED_NOISE | INFO_PIPELINED | INFO_MULTIPLIER).
INFO_FORMAT = "<BBBBBH8sHIIHBBBB"
INFO_SHARED_NOISE = 0x01  # Config.shared_noise
INFO_PIPELINED = 0x02  # Config.pipelined
INFO_MULTIPLIER = 0x04  # Config.products == "multiplier" (else "shift-add")


def build_flags(cfg) -> int:
    """INFO's build byte of an nWTA or WTA Config."""
    return (
        INFO_SHARED_NOISE * cfg.shared_noise
        | INFO_PIPELINED * cfg.pipelined
        | INFO_MULTIPLIER * (cfg.products == "multiplier")
    )


STATUS_FORMAT = "<BIBB"
SUMMARY_FORMAT = "<IIII6s6s"


@dataclass(frozen=True)
class Info:
    protocol: int
    version: str
    kind: str
    n: int
    config_digest: str
    result_bits: int
    max_steps: int
    clock_hz: int
    divisor: int
    fifo_depth: int
    latency: int
    step_clocks: int
    shared_noise: bool = False
    pipelined: bool = False
    products: str = "shift-add"

    @classmethod
    def decode(cls, payload: bytes) -> Info:
        _check_design(payload, ("nwta", "wta"))
        _check_length("INFO", payload, INFO_FORMAT)
        p, ma, mi, pa, kind, n, dig, rbits, steps, clk, div, depth, lat, sc, flags = struct.unpack(
            INFO_FORMAT, payload
        )
        kinds = {v: k for k, v in DESIGN_KINDS.items()}
        return cls(
            p,
            f"{ma}.{mi}.{pa}",
            kinds.get(kind, f"unknown({kind})"),
            n,
            dig[::-1].hex(),
            rbits,
            steps,
            clk,
            div,
            depth,
            lat,
            sc,
            bool(flags & INFO_SHARED_NOISE),
            bool(flags & INFO_PIPELINED),
            "multiplier" if flags & INFO_MULTIPLIER else "shift-add",
        )

    @property
    def baud(self) -> float:
        return self.clock_hz / self.divisor

    def design_text(self) -> str:
        """The design the board runs, before its Config digest."""
        return f"{self.kind} n={self.n}, Config"

    def details(self) -> str:
        build = ", shared noise" * self.shared_noise + ", pipelined" * self.pipelined
        return (
            f"latency {self.latency}, {self.step_clocks} clock(s) per step{build}, products "
            f"{self.products}, max_steps {self.max_steps}"
        )


@dataclass(frozen=True)
class Status:
    busy: bool
    streaming: bool
    rx_error: bool
    results: int  # results taken from the engine in this run
    fifo_level: int  # results waiting to be sent
    bad_frames: int  # frames dropped (bad CRC, truncated, too long), saturating at 255

    @classmethod
    def decode(cls, payload: bytes) -> Status:
        _check_length("STATUS", payload, STATUS_FORMAT)
        flags, results, level, bad = struct.unpack(STATUS_FORMAT, payload)
        return cls(
            bool(flags & ST_BUSY),
            bool(flags & ST_STREAM),
            bool(flags & ST_RX_ERROR),
            results,
            level,
            bad,
        )


@dataclass(frozen=True)
class Summary:
    """The run's counters, kept by the board whether or not results are streamed."""

    trials: int  # results taken from the engine
    decided: int
    correct: int  # decided with winner == top
    saturated: int  # trials with eta_sat or r_sat set
    steps: int  # sum of the trials' cycles fields (Euler steps)
    run_cycles: int  # clock cycles from the RUN command to the last result taken

    @classmethod
    def decode(cls, payload: bytes) -> Summary:
        _check_length("SUMMARY", payload, SUMMARY_FORMAT)
        t, d, c, s, steps, cyc = struct.unpack(SUMMARY_FORMAT, payload)
        return cls(t, d, c, s, int.from_bytes(steps, "little"), int.from_bytes(cyc, "little"))

    def text(self) -> str:
        return (
            f"last run: {self.trials} trials, {self.decided} decided, {self.correct} correct, "
            f"{self.saturated} saturated, {self.steps} steps, {self.run_cycles} cycles"
        )


#: The Foldiak layer's INFO: protocol, gaba version (3 bytes), design kind (3), m, n,
#: FoldiakConfig digest (8 bytes), result payload bits, clock (Hz), baud divisor, FIFO depth,
#: q, w, t and y* bits, settling steps, pre-run presentations.
FOLDIAK_INFO_FORMAT = "<BBBBBHH8sHIHBBBBBHI"
#: The Foldiak layer's SUMMARY: presentations u32, results u32, flags u8, run cycles u48.
FOLDIAK_SUMMARY_FORMAT = "<IIB6s"


@dataclass(frozen=True)
class FoldiakInfo:
    """INFO of a board running the Foldiak layer."""

    protocol: int
    version: str
    kind: str
    m: int
    n: int
    config_digest: str
    result_bits: int
    clock_hz: int
    divisor: int
    fifo_depth: int
    q_bits: int
    w_bits: int
    t_bits: int
    y_bits: int
    settle_steps: int
    pre_presentations: int

    @classmethod
    def decode(cls, payload: bytes) -> FoldiakInfo:
        _check_design(payload, ("foldiak", "foldiak-digits"))
        _check_length("INFO", payload, FOLDIAK_INFO_FORMAT)
        p, ma, mi, pa, _, m, n, dig, *rest = struct.unpack(FOLDIAK_INFO_FORMAT, payload)
        kind = design_kind(payload)
        return cls(p, f"{ma}.{mi}.{pa}", kind, m, n, dig[::-1].hex(), *rest)

    @property
    def baud(self) -> float:
        return self.clock_hz / self.divisor

    def design_text(self) -> str:
        """The design the board runs, before its Config digest."""
        return f"{self.kind} m={self.m} n={self.n}, FoldiakConfig"

    def details(self) -> str:
        return (
            f"q, w, t, y* {self.q_bits}, {self.w_bits}, {self.t_bits}, {self.y_bits} bits; "
            f"{self.settle_steps} settling steps, pre-run {self.pre_presentations} presentations"
        )


@dataclass(frozen=True)
class FoldiakSummary:
    """The Foldiak layer's counters (they move only when the layer hands over a result)."""

    presentations: int  # training presentations of the run (the pre-run included)
    results: int  # results taken from the layer since the last F_INIT, F_TRAIN or F_TEST
    w_sat: bool  # sticky saturation flags of the run, as of the last result
    t_sat: bool
    run_cycles: int  # clock cycles from that command to its last result taken

    @classmethod
    def decode(cls, payload: bytes) -> FoldiakSummary:
        _check_length("SUMMARY", payload, FOLDIAK_SUMMARY_FORMAT)
        pres, results, flags, cyc = struct.unpack(FOLDIAK_SUMMARY_FORMAT, payload)
        return cls(pres, results, bool(flags & 1), bool(flags & 2), int.from_bytes(cyc, "little"))

    def text(self) -> str:
        w, t = ("yes" if flag else "no" for flag in (self.w_sat, self.t_sat))
        return (
            f"run: {self.presentations} presentations, w_sat {w}, t_sat {t}; last command: "
            f"{self.results} results, {self.run_cycles} cycles"
        )


#: A score engine's INFO: protocol, gaba version (3 bytes), design kind (4), n, Config digest
#: (8 bytes), result payload bits, clock (Hz), baud divisor, FIFO depth, run inputs beyond
#: seed, first and count, the design's registry name (ASCII, zero-padded).
SCORE_INFO_FORMAT = "<BBBBBH8sHIHBB16s"
#: A score engine's SUMMARY: results taken u32, run cycles u48.
SCORE_SUMMARY_FORMAT = "<I6s"


@dataclass(frozen=True)
class ScoreInfo:
    """INFO of a board running a score engine (boards.tops.score)."""

    protocol: int
    version: str
    kind: str
    n: int
    config_digest: str
    result_bits: int
    clock_hz: int
    divisor: int
    fifo_depth: int
    inputs: int  # the engine's run inputs beyond seed, first and count
    design: str  # its name in the design registry

    @classmethod
    def decode(cls, payload: bytes) -> ScoreInfo:
        _check_design(payload, ("score",))
        _check_length("INFO", payload, SCORE_INFO_FORMAT)
        p, ma, mi, pa, _, n, dig, rbits, clk, div, depth, inputs, name = struct.unpack(
            SCORE_INFO_FORMAT, payload
        )
        design = name.rstrip(b"\0").decode("ascii", "replace")
        return cls(
            p,
            f"{ma}.{mi}.{pa}",
            "score",
            n,
            dig[::-1].hex(),
            rbits,
            clk,
            div,
            depth,
            inputs,
            design,
        )

    @property
    def baud(self) -> float:
        return self.clock_hz / self.divisor

    def design_text(self) -> str:
        """The design the board runs, before its Config digest."""
        return f"{self.design} n={self.n}, Config"

    def details(self) -> str:
        return f"{self.inputs} run input(s) beyond seed, first and count"


@dataclass(frozen=True)
class ScoreSummary:
    """A score engine's counters (they move when the engine hands over a result)."""

    results: int  # results taken since the last RUN
    run_cycles: int  # clock cycles from the RUN command to the last result taken

    @classmethod
    def decode(cls, payload: bytes) -> ScoreSummary:
        _check_length("SUMMARY", payload, SCORE_SUMMARY_FORMAT)
        results, cyc = struct.unpack(SCORE_SUMMARY_FORMAT, payload)
        return cls(results, int.from_bytes(cyc, "little"))

    def text(self) -> str:
        return f"last run: {self.results} results, {self.run_cycles} cycles"


def design_kind(info_payload: bytes) -> str:
    """The design an INFO reply describes (its fifth byte)."""
    if len(info_payload) < 5:
        raise ProtocolError(f"INFO reply of {len(info_payload)} bytes")
    kinds = {v: k for k, v in DESIGN_KINDS.items()}
    return kinds.get(info_payload[4], f"unknown({info_payload[4]})")


def _check_design(payload, kinds):
    kind = design_kind(payload)
    if kind not in kinds:
        raise ProtocolError(f"the board runs the {kind} design, not {' or '.join(kinds)}")


def _check_length(name, payload, fmt):
    want = struct.calcsize(fmt)
    if len(payload) != want:
        raise ProtocolError(f"{name} reply of {len(payload)} bytes, expected {want}")


def digest_bytes(config_digest: str) -> bytes:
    """The 64-bit Config digest (16 hex digits) as INFO sends it (little-endian)."""
    return bytes.fromhex(config_digest)[::-1]


def result_bytes(result_bits: int) -> int:
    return (result_bits + 7) // 8
