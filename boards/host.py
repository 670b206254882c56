"""The host driver: the board's protocol (gaba.boards.protocol) over any byte transport.

A transport has ``write(data)``, ``read(size, timeout) -> bytes`` (fewer bytes on timeout),
``reset_input()`` and ``close()``. Two exist: :class:`SerialTransport` (a real board's USB
serial port, through pyserial) and ``gaba.boards.simboard.SimTransport`` (the board top's
Verilog under Verilator). :class:`Board` speaks the protocol; :func:`check_run` holds a run's
results to the golden model exactly as ``gaba.sim.compare`` holds the simulators' results.
"""

from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass

from gaba.boards import protocol as P
from gaba.golden.config import Config

__all__ = [
    "Board",
    "BoardError",
    "BoardTimeout",
    "RunResult",
    "SerialTransport",
    "check_run",
]


class BoardError(Exception):
    """The board answered with an error reply, or a reply failed its checks."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class BoardTimeout(BoardError):
    """No (complete) reply within the timeout."""


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

    def _reply(self, cmd: int, timeout: float | None = None) -> bytes:
        """The reply to ``cmd``; RESULT frames that come first are queued."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            kind, payload = self._next_frame(timeout, deadline)
            if kind == P.KIND_RESULT:
                self._queue_result(payload)
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
        info = P.Info.decode(self.command(P.CMD_INFO))
        if info.protocol != P.PROTOCOL_VERSION:
            raise BoardError(
                f"the board speaks protocol {info.protocol}, this host {P.PROTOCOL_VERSION}"
            )
        self.result_bits = info.result_bits
        return info

    def status(self) -> P.Status:
        return P.Status.decode(self.command(P.CMD_STATUS))

    def summary(self) -> P.Summary:
        return P.Summary.decode(self.command(P.CMD_SUMMARY))

    def abort(self) -> None:
        self.command(P.CMD_ABORT)
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


def check_run(
    cfg: Config, results, *, seed: int, first: int, top=None, delta_q=None, source: str = "board"
):
    """Hold ``results`` (RunResult, in order) to the golden model; return a sim.compare.Report.

    Each trial's result word is decoded and compared field by field with
    ``gaba.golden.fixed.run_trials`` by gaba.sim.compare's own scoreboard (the same fields,
    the same rules: the winner only where both sides decided).
    """
    from gaba.golden import fixed
    from gaba.sim import compare

    count = len(results)
    tops = None if top is None else [top] * count
    golden_cfg = cfg if delta_q is None else cfg.replace(delta=delta_q / 2**cfg.frac_bits)
    golden = fixed.run_trials(golden_cfg, count, seed, first_trial=first, top=tops)
    mismatches, first_mm, decisions, decoded = 0, None, [], []
    for j, r in enumerate(results):
        hw = compare.decode_result(cfg, r.word)
        decoded.append(hw)
        decisions.append(hw["cycles"] if hw["decided"] else -1)
        bad = [(f, g, h) for f, g, h in compare._result_fields(cfg, golden, j, hw) if g != h]
        want_trial = (first + j) & 0xFFFFFFFF
        if r.trial != want_trial:
            bad.insert(0, ("trial", want_trial, r.trial))
        mismatches += len(bad)
        if bad and first_mm is None:
            f, g, h = bad[0]
            first_mm = compare.Mismatch(first + j, f, g, h)
    return compare.Report(
        cfg.kind,
        source,
        "trials",
        cfg.n,
        seed,
        count,
        cycles_compared=count,
        mismatches=mismatches,
        first_mismatch=first_mm,
        decision_cycles=decisions,
        results=decoded,
        golden=golden,
    )
