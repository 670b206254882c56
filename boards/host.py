"""The host driver: the board's protocol (gaba.boards.protocol) over any byte transport.

A transport has ``write(data)``, ``read(size, timeout) -> bytes`` (fewer bytes on timeout),
``reset_input()`` and ``close()``. Two exist: :class:`SerialTransport` (a real board's USB
serial port, through pyserial) and ``gaba.boards.simboard.SimTransport`` (the board top's
Verilog under Verilator). :class:`Board` speaks the protocol, :class:`FoldiakBoard` the
Foldiak layer's board top's (boards.tops.foldiak), :class:`ScoreBoard` the score engines' top's
(boards.tops.score); a run is held to the golden model by its
design's own scoreboard, as on the simulators (``check_board`` of the design's entry in
``gaba.sim.designs``). :func:`check_config` holds a board's INFO to the Config asked for
(:class:`ConfigMismatch`).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from dataclasses import dataclass

from gaba.boards import protocol as P
from gaba.golden.foldiak.config import FoldiakConfig

__all__ = [
    "Board",
    "BoardError",
    "BoardTimeout",
    "ConfigMismatch",
    "FoldiakBoard",
    "RunResult",
    "ScoreBoard",
    "SerialTransport",
    "check_config",
]


class BoardError(Exception):
    """The board answered with an error reply, or a reply failed its checks."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class BoardTimeout(BoardError):
    """No (complete) reply within the timeout."""


class ConfigMismatch(ValueError):
    """The board runs another Config than the one asked for."""


def check_config(cfg, info) -> None:
    """ConfigMismatch unless the board (its INFO) runs ``cfg``."""
    if info.config_digest == cfg.digest():
        return
    raise ConfigMismatch(
        f"the board runs {info.design_text()} {info.config_digest}; these options give "
        f"{type(cfg).__name__} {cfg.digest()} (pass the options the bitstream was built with)"
    )


class SerialTransport:
    """A serial port (8N1, no flow control) through pyserial."""

    def __init__(self, port: str, baud: int = 115200):
        try:
            import serial
        except ImportError:
            raise BoardError("pyserial is not installed: pip install pyserial") from None
        self.name = port
        if "://" not in port and not os.path.exists(port):
            raise BoardError(
                f"cannot open serial port {port}: no such device (is the board plugged in?)"
            )
        try:
            self._port = serial.Serial(port, baudrate=baud, timeout=0)
        except (serial.SerialException, OSError, ValueError) as e:
            raise BoardError(f"cannot open serial port {port}: {e}") from None

    def write(self, data: bytes) -> None:
        self._port.write(data)
        self._port.flush()

    def read(self, size: int, timeout: float) -> bytes:
        self._port.timeout = max(timeout, 0.0)
        return self._port.read(size)

    def reset_input(self) -> None:
        self._port.reset_input_buffer()

    def close(self) -> None:
        self._port.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class RunResult:
    """One trial's RESULT frame: its index and the engine's result word."""

    trial: int
    word: int


class Board:
    """The protocol's host side.

    Parameters
    ----------
    transport
        Where the bytes go.
    timeout : float
        Seconds to wait for a command's reply (and between two results of a run).
    """

    INFO = P.Info  # the design's INFO and SUMMARY replies
    SUMMARY = P.Summary

    def __init__(self, transport, *, timeout: float = 2.0):
        self.transport = transport
        self.timeout = timeout
        self._decoder = P.FrameDecoder(P.SYNC_REPLY)
        self._frames: deque = deque()
        self._results: deque = deque()
        self.result_bits: int | None = None

    # frames -------------------------------------------------------------------------------

    def _next_frame(self, timeout: float, deadline: float | None = None) -> tuple[int, bytes]:
        """The next frame; BoardTimeout when none is complete by ``deadline`` (default: now
        + ``timeout``; the message names ``timeout``)."""
        deadline = time.monotonic() + timeout if deadline is None else deadline
        while not self._frames:
            left = deadline - time.monotonic()
            if left <= 0:
                pending = self._decoder.pending
                raise BoardTimeout(
                    f"no reply from the board within {timeout:g} s"
                    + (f" ({pending} bytes of a frame)" if pending else "")
                )
            data = self.transport.read(256, min(left, 0.05))
            if data:
                try:
                    self._frames.extend(self._decoder.feed(data))
                except P.ProtocolError as e:
                    raise BoardError(str(e)) from None
        return self._frames.popleft()

    def _reply(self, cmd: int, timeout: float | None = None, *, late: bool = False) -> bytes:
        """The reply to ``cmd``; RESULT frames that come first are queued. An ABORT reply
        before another command's is skipped (a resync's ABORT answered after it sent the
        next one); with ``late``, so is any reply of another kind (to a request sent before
        the line was cleared)."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            kind, payload = self._next_frame(timeout, deadline)
            if kind == P.KIND_RESULT:
                self._queue_result(payload)
                continue
            if kind != cmd | P.REPLY and kind != P.KIND_ERROR:
                if late or kind == P.CMD_ABORT | P.REPLY:
                    continue
            if kind == P.KIND_ERROR:
                code, about = (payload + b"\0\0")[:2]
                what = P.ERRORS.get(code, f"error 0x{code:02x}")
                name = P.COMMANDS.get(about, f"0x{about:02x}")
                raise BoardError(f"the board refused {name}: {what}", code)
            if kind != cmd | P.REPLY:
                raise BoardError(f"unexpected reply kind 0x{kind:02x} to command 0x{cmd:02x}")
            return payload

    def command(self, cmd: int, payload: bytes = b"", *, timeout: float | None = None) -> bytes:
        """Send one command; return its reply's payload (BoardError on an error reply)."""
        self.transport.write(P.encode_frame(cmd, payload))
        return self._reply(cmd, timeout)

    def _queue_result(self, payload: bytes):
        if len(payload) < 4:
            raise BoardError(f"RESULT frame of {len(payload)} bytes")
        self._results.append(
            RunResult(int.from_bytes(payload[:4], "little"), int.from_bytes(payload[4:], "little"))
        )

    # commands -----------------------------------------------------------------------------

    def info(self) -> P.Info:
        payload = self.command(P.CMD_INFO)
        # the version first: another protocol's INFO may be laid out otherwise
        if payload and payload[0] != P.PROTOCOL_VERSION:
            raise BoardError(
                f"the board speaks protocol {payload[0]}, this host {P.PROTOCOL_VERSION} "
                "(rebuild its bitstream with this gaba)"
            )
        info = self._decode(self.INFO, payload)
        self.result_bits = info.result_bits
        return info

    def status(self) -> P.Status:
        return P.Status.decode(self.command(P.CMD_STATUS))

    def summary(self) -> P.Summary:
        return self._decode(self.SUMMARY, self.command(P.CMD_SUMMARY))

    @staticmethod
    def _decode(reply_type, payload: bytes):
        try:
            return reply_type.decode(payload)
        except P.ProtocolError as e:
            raise BoardError(str(e)) from None

    def abort(self) -> None:
        self.command(P.CMD_ABORT)
        self._results.clear()

    #: ABORTs :meth:`resync` sends before it gives up.
    RESYNC_TRIES = 4
    #: Seconds of silence that end a resync that sent more than one ABORT.
    RESYNC_QUIET = 0.1

    def resync(self) -> None:
        """Drop every byte and frame received so far, then ABORT: an idle board, a clean line.

        Replies to requests sent before the line was cleared are skipped. A board that is
        still receiving a broken frame (bytes of an earlier request cut off within its
        inter-byte timeout) takes the ABORT's bytes into that frame and answers with an error
        reply: the line is cleared and the ABORT sent again, up to :attr:`RESYNC_TRIES`
        ABORTs. An error reply may also be a late one to the broken frame, and the ABORT
        then answered after it: so after a second ABORT the line is left to go quiet
        (:attr:`RESYNC_QUIET` seconds) and what comes is dropped. A board that does not
        answer at all (BoardTimeout) or keeps refusing raises."""
        for tries_left in reversed(range(self.RESYNC_TRIES)):
            self.transport.reset_input()
            self._decoder = P.FrameDecoder(P.SYNC_REPLY)
            self._frames.clear()
            self.transport.write(P.encode_frame(P.CMD_ABORT))
            try:
                self._reply(P.CMD_ABORT, late=True)
                break
            except BoardTimeout:
                raise
            except BoardError:
                if not tries_left:
                    raise
        if tries_left < self.RESYNC_TRIES - 1:
            with contextlib.suppress(BoardError):
                while True:
                    self._next_frame(self.RESYNC_QUIET)
        self._results.clear()

    def start(self, seed: int, first: int, count: int, *, top=None, delta_q=None, stream=True):
        """Start a run of ``count`` trials (results then arrive as RESULT frames)."""
        self.command(
            P.CMD_RUN, P.run_payload(seed, first, count, top=top, delta_q=delta_q, stream=stream)
        )

    def results(self, count: int, *, progress=None) -> list[RunResult]:
        """The next ``count`` RESULT frames; BoardTimeout if one takes longer than the timeout."""
        out = []
        while len(out) < count:
            if self._results:
                out.append(self._results.popleft())
                if progress:
                    progress(len(out), count)
                continue
            kind, payload = self._next_frame(self.timeout)
            if kind != P.KIND_RESULT:
                raise BoardError(f"unexpected frame kind 0x{kind:02x} while reading results")
            self._queue_result(payload)
        return out

    def wait_idle(self, timeout: float, poll: float = 0.05) -> P.Status:
        """Poll STATUS until the run is over."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.status()
            if not st.busy:
                return st
            if time.monotonic() > deadline:
                raise BoardTimeout(f"the run did not finish within {timeout:g} s")
            time.sleep(poll)


class FoldiakBoard(Board):
    """The protocol's host side for the Foldiak layer's board top (boards.tops.foldiak).

    Parameters
    ----------
    transport
        Where the bytes go.
    cfg : FoldiakConfig
        The layer the host expects (its widths decode the rows read back).
    timeout : float
        Seconds to wait for a reply (and between two results).
    """

    INFO = P.FoldiakInfo
    SUMMARY = P.FoldiakSummary

    def __init__(self, transport, cfg: FoldiakConfig, *, timeout: float = 2.0):
        super().__init__(transport, timeout=timeout)
        self.config = cfg

    def init(self, seed: int, run: int = 0) -> None:
        """F_INIT: start run ``run`` of ``seed``; returns once the layer has filled q."""
        self.command(P.CMD_F_INIT, P.f_init_payload(seed, run))
        self.wait_idle(self.timeout)

    def train(self, count: int, *, stream: bool = True, progress=None) -> list[RunResult]:
        """F_TRAIN: ``count`` training presentations. With ``stream`` their RESULT frames are
        returned; without, the call returns (with []) once the layer is idle."""
        return self._present(P.CMD_F_TRAIN, count, stream, progress)

    def test(self, count: int, *, progress=None) -> list[RunResult]:
        """F_TEST: ``count`` test patterns from the start of the run's test stream."""
        return self._present(P.CMD_F_TEST, count, True, progress)

    def _present(self, cmd, count, stream, progress):
        self.command(cmd, P.f_count_payload(count, stream=stream))
        if stream:
            return self.results(count, progress=progress)
        self.wait_idle(self.timeout * max(count, 1))
        return []

    def read_row(self, which: int, row: int = 0) -> bytes:
        """F_READ: one row's bytes (``which``: P.F_READ_Q, P.F_READ_W or P.F_READ_T)."""
        data = self.command(P.CMD_F_READ, P.f_read_payload(which, row))
        want = P.f_row_bytes(self.config)[which]
        if len(data) != want:
            raise BoardError(f"F_READ reply of {len(data)} bytes, expected {want}")
        return data

    def _rows(self, which, count, bits, signed):
        """int64[n, count]: ``count`` rows of one memory, row j holding column j."""
        import numpy as np

        from gaba.sim.designs.foldiak import lanes

        n = self.config.n
        rows = [self.read_row(which, j) for j in range(count)]
        return np.stack([lanes(int.from_bytes(r, "little"), bits, n, signed) for r in rows], 1)

    def read_q(self):
        """The feed-forward weights q (int64[n, m]), one F_READ per input row."""
        return self._rows(P.F_READ_Q, self.config.m, self.config.q_bits, False)

    def read_w(self):
        """The lateral weights w (int64[n, n])."""
        return self._rows(P.F_READ_W, self.config.n, self.config.w_bits, True)

    def read_t(self):
        """The thresholds t (int64[n])."""
        return self._rows(P.F_READ_T, 1, self.config.t_bits, True)[:, 0]

    def state(self) -> dict:
        """The learned state: q, w, t read back, and SUMMARY's flags and presentations."""
        s = self.summary()
        return {
            "q": self.read_q(),
            "w": self.read_w(),
            "t": self.read_t(),
            "w_sat": s.w_sat,
            "t_sat": s.t_sat,
            "presentations": s.presentations,
            "cycle": None,
        }


class ScoreBoard(Board):
    """The protocol's host side for the board top of a score engine (boards.tops.score): RUN
    with the engine's other run inputs, its INFO (the design's name among it) and SUMMARY."""

    INFO = P.ScoreInfo
    SUMMARY = P.ScoreSummary

    def start(self, seed: int, first: int, count: int, inputs=(), *, stream=True):
        """Start a run of ``count`` trials from ``first``; ``inputs``: the engine's other run
        inputs, in the order the board's top takes them (results then arrive as RESULT
        frames)."""
        self.command(
            P.CMD_RUN, P.score_run_payload(seed, first, count, tuple(inputs), stream=stream)
        )
