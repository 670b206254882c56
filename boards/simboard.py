"""The simulated board: the board top's Verilog under Verilator, reached through a socket.

:class:`SimTransport` is a transport like a serial port (``gaba.boards.host``): it builds the
board top of a Config's design (the board registry, ``gaba.boards.designs``) as a
:class:`SimBoard`, a design the simulation runner builds like any other (cached by Config
and sources, file-locked, under ``build/sim/verilator``), starts the simulation with
``gaba.boards.bench_board``, which relays a localhost TCP socket to the top's UART pins bit
by bit, and reads and writes bytes with wall-clock timeouts. So the host driver runs
unchanged, end to end, against the very Verilog a bitstream is built from (only the baud
divisor differs: a few clocks per bit instead of 104 or 217).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

from gaba.boards import designs
from gaba.sim import runner
from gaba.sim.benches.common import PERIOD_NS
from gaba.sim.design import Design

__all__ = [
    "SIM_DIVISOR",
    "SIM_FIFO_DEPTH",
    "SimBoard",
    "SimTransport",
    "board_top",
    "build_sim_board",
    "sim_info_payload",
]

#: Clocks per UART bit in simulation: a 15-byte frame costs 15 * 10 * 8 = 1200 cycles.
SIM_DIVISOR = 8
SIM_CLOCK_HZ = round(1e9 / PERIOD_NS)  # the simulation top's clock
SIM_FIFO_DEPTH = 32
#: Bit times of silence that end a request frame in progress, in simulation (the boards use
#: 4096: tens of milliseconds, longer than a USB serial adapter's latency).
SIM_TIMEOUT_BITS = 256
_HERE = Path(__file__).resolve().parent
#: What the simulated board top's Verilog depends on besides gaba.hdl and gaba.golden: the
#: tops, the host link, the board registry that picks the top, and this module's constants.
_SOURCES = tuple(
    sorted(
        [
            *(_HERE / "tops").glob("*.py"),
            *(_HERE / "designs").glob("*.py"),
            *(_HERE / f for f in ("design.py", "hostlink.py", "link.py", "uart.py")),
            *(_HERE / f for f in ("protocol.py", "simboard.py")),
        ]
    )
)


def board_top(cfg, *, divisor: int = SIM_DIVISOR, replicas: int = 1, design=None):
    """The simulated board's top for ``cfg`` (its design's board top, 8 LEDs; ``replicas``
    copies of the design where it allows; ``design``: the design's name, for a Config
    several designs take)."""
    return designs.of(cfg, design).board_top(
        cfg,
        divisor=divisor,
        clock_hz=SIM_CLOCK_HZ,
        fifo_depth=SIM_FIFO_DEPTH,
        timeout_bits=SIM_TIMEOUT_BITS,
        leds=8,
        replicas=replicas,
    )


def sim_info_payload(cfg, design=None) -> bytes:
    """What the simulated board answers to INFO."""
    return designs.of(cfg, design).info_payload(cfg, SIM_DIVISOR, SIM_CLOCK_HZ, SIM_FIFO_DEPTH)


class SimBoard(Design):
    """A design's board top as the simulated board runs it (ports ``rx``, ``tx``, ``leds``),
    for the simulation runner (``gaba.sim.runner.build``) and the bench
    ``gaba.boards.bench_board``."""

    bench = "gaba.boards.bench_board"
    sources = _SOURCES

    def __init__(self, board, replicas: int = 1):
        self.board, self.replicas = board, replicas
        copies = f"-x{replicas}" if replicas != 1 else ""
        self.name = f"{board.name}-board{copies}"
        self.module = f"gaba_board_{board.name}{copies}".replace("-", "_")  # a Verilog name
        self.title = f"the board top of {board.name}, simulated"
        self.config_type = board.design.config_type
        self.config_fixed = board.design.config_fixed

    def component(self, cfg, *, debug: bool = False):
        return board_top(cfg, replicas=self.replicas, design=self.board.name)

    def result_layout(self, cfg):
        return self.board.design.result_layout(cfg)

    def describe(self, cfg) -> str:
        return f"the simulated board top of {self.board.describe(cfg)}"


def build_sim_board(cfg, *, replicas: int = 1, design=None, progress=None) -> runner.Build:
    """The Verilator model of the simulated board top for ``cfg`` (built when not cached;
    ``design``: the design's name, for a Config several designs take)."""
    design = SimBoard(designs.of(cfg, design), replicas)
    return runner.build(design, cfg, "verilator", progress=progress)


class SimTransport:
    """Bytes to and from the simulated board top (see the module docstring).

    Parameters
    ----------
    cfg
        A Config of a design with a board top; the top is built for it (cached).
    poll : int
        Clock cycles between the relay's looks at the socket while the line is idle.
    replicas : int
        Copies of the design in the top (``BoardDesign.board_top``).
    design : str or None
        The design's name, for a Config several designs take (``designs.of``).
    """

    name = "simulated board (Verilator)"

    def __init__(
        self,
        cfg,
        *,
        poll: int = 2000,
        replicas: int = 1,
        design=None,
        progress=None,
        connect_timeout=120.0,
    ):
        self.build = build_sim_board(cfg, replicas=replicas, design=design, progress=progress)
        self.divisor = SIM_DIVISOR
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(connect_timeout)
        port = self._server.getsockname()[1]
        run_dir = self.build.directory / f"run-{os.getpid()}-{port}"
        run_dir.mkdir(exist_ok=True)
        self.log = run_dir / "sim.log"
        env = {
            "GABA_BOARD_ADDR": f"127.0.0.1:{port}",
            "GABA_BOARD_DIVISOR": str(SIM_DIVISOR),
            "GABA_BOARD_POLL": str(poll),
        }
        self._error: BaseException | None = None

        def simulate():
            try:
                failed = runner.run_test(
                    "verilator",
                    self.build.directory,
                    self.build.toplevel,
                    self.build.design.bench,
                    "relay",
                    run_dir,
                    env=env,
                )
                if failed:
                    self._error = runner.SimulationError(
                        f"the simulated board failed; see {self.log}"
                    )
            except BaseException as e:
                self._error = e

        if progress:
            progress("starting the simulated board")
        self._thread = threading.Thread(target=simulate, name="gaba-sim-board", daemon=True)
        self._thread.start()
        try:
            self._sock, _ = self._server.accept()
        except OSError:
            raise runner.SimulationError(
                f"the simulated board did not connect within {connect_timeout:.0f} s; "
                f"see {self.log}"
            ) from None
        finally:
            self._server.close()
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes) -> None:
        self._sock.sendall(data)

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes: those that have come as soon as any has (a socket's read, so
        a reply shorter than ``size`` is not held until ``timeout``), none if ``timeout``
        seconds pass first."""
        out = bytearray()
        deadline = time.monotonic() + timeout
        while not out:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(size - len(out))
            except TimeoutError:
                break
            if not chunk:
                raise runner.SimulationError(f"the simulated board stopped; see {self.log}")
            out += chunk
        return bytes(out)

    def reset_input(self) -> None:
        """Drop bytes already received."""
        self._sock.setblocking(False)
        try:
            while self._sock.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass
        self._sock.setblocking(True)

    def close(self) -> None:
        try:
            self._sock.close()
        finally:
            self._thread.join(timeout=60)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
