"""The simulated board: the board top's Verilog under Verilator, reached through a socket.

:class:`SimTransport` is a transport like a serial port (``gaba.boards.host``): it builds the
board top for a Config (the nWTA top for a Config, the Foldiak layer's for a FoldiakConfig;
cached under ``build/boards/sim``), starts the simulation with
``gaba.boards.bench_board``, which relays a localhost TCP socket to the top's UART pins bit
by bit, and reads and writes bytes with wall-clock timeouts. So the host driver runs
unchanged, end to end, against the very Verilog a bitstream is built from (only the baud
divisor differs: a few clocks per bit instead of 104 or 217).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

from gaba.boards import protocol as P
from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.sim import runner
from gaba.sim.benches.common import PERIOD_NS

__all__ = ["SIM_DIVISOR", "SimBuild", "SimTransport", "board_top", "build_sim_board"]

DESIGN = "gaba_board"
TOPLEVEL = "gaba_board_sim"
#: Clocks per UART bit in simulation: a 15-byte frame costs 15 * 10 * 8 = 1200 cycles.
SIM_DIVISOR = 8
SIM_CLOCK_HZ = 100_000_000  # the simulation top's 10 ns clock
#: Bit times of silence that end a request frame in progress, in simulation (the boards use
#: 4096: tens of milliseconds, longer than a USB serial adapter's latency).
SIM_TIMEOUT_BITS = 256
_HERE = Path(__file__).resolve().parent


class SimBuild:
    def __init__(self, cfg: Config | FoldiakConfig, directory: Path, seconds: float):
        self.config, self.directory, self.seconds = cfg, directory, seconds


def _fingerprint() -> str:
    tops = ("top.py", "foldiak_top.py", "hostlink.py", "link.py", "uart.py", "protocol.py")
    return runner.hdl_fingerprint(*sorted(_HERE / f for f in tops))


SIM_FIFO_DEPTH = 32


def board_top(cfg: Config | FoldiakConfig, *, divisor: int = SIM_DIVISOR):
    """The simulated board's top for ``cfg`` (the nWTA top or the Foldiak layer's)."""
    if isinstance(cfg, FoldiakConfig):
        from gaba.boards.foldiak_top import FoldiakBoardTop as Top
    else:
        from gaba.boards.top import BoardTop as Top

    return Top(
        cfg,
        divisor=divisor,
        clock_hz=SIM_CLOCK_HZ,
        fifo_depth=SIM_FIFO_DEPTH,
        timeout_bits=SIM_TIMEOUT_BITS,
        leds=8,
    )


def sim_info_payload(cfg: Config | FoldiakConfig) -> bytes:
    """What the simulated board answers to INFO."""
    if isinstance(cfg, FoldiakConfig):
        from gaba.boards.foldiak_top import foldiak_info_payload as payload
    else:
        from gaba.boards.top import info_payload as payload
    return payload(cfg, SIM_DIVISOR, SIM_CLOCK_HZ, SIM_FIFO_DEPTH)


def _wrapper() -> str:
    return "\n".join(
        [
            "`timescale 1ns/1ps",
            f"module {TOPLEVEL}(rst, rx, tx, leds);",
            "  input rst;",
            "  input rx;",
            "  output tx;",
            "  output [7:0] leds;",
            "  reg clk = 1'b0;",
            f"  always #{PERIOD_NS / 2:g} clk = ~clk;",
            f"  {DESIGN} dut (.clk(clk), .rst(rst), .rx(rx), .tx(tx), .leds(leds));",
            "endmodule",
            "",
        ]
    )


def build_sim_board(cfg: Config | FoldiakConfig, *, progress=None) -> SimBuild:
    """Verilog of the board top for ``cfg`` and its Verilator model (cached)."""
    from filelock import FileLock

    runner.check_simulator("verilator")
    start = time.monotonic()
    kind = P.config_design(cfg)
    directory = runner.build_root() / "boards" / "sim" / f"{kind}-n{cfg.n}-{cfg.digest()}"
    directory.mkdir(parents=True, exist_ok=True)
    with FileLock(str(directory) + ".lock"):  # one build at a time across processes
        _generate_and_compile(cfg, directory, progress)
    return SimBuild(cfg, directory, time.monotonic() - start)


def _generate_and_compile(cfg, directory: Path, progress) -> None:
    from amaranth.back import verilog

    kind = P.config_design(cfg)
    source, wrapper = directory / f"{DESIGN}.v", directory / f"{TOPLEVEL}.v"
    key = json.dumps({"config": cfg.to_dict(), "sources": _fingerprint()}, sort_keys=True)
    key_file = directory / "gaba.key"
    if not (source.exists() and key_file.exists() and key_file.read_text() == key):
        if progress:
            progress(f"generating the board top's Verilog for {kind} n={cfg.n}")
        text = verilog.convert(board_top(cfg), name=DESIGN, emit_src=False)
        for path, body in ((source, text), (wrapper, _wrapper())):
            if not path.exists() or path.read_text() != body:
                path.write_text(body)
        key_file.write_text(key)
    if progress:
        progress(f"building the simulated board in {directory}")
    runner.compile_model("verilator", [source, wrapper], TOPLEVEL, directory)


class SimTransport:
    """Bytes to and from the simulated board top (see the module docstring).

    Parameters
    ----------
    cfg : Config or FoldiakConfig
        The design; the board top is built for it (cached).
    poll : int
        Clock cycles between the relay's looks at the socket while the line is idle.
    """

    name = "simulated board (Verilator)"

    def __init__(
        self, cfg: Config | FoldiakConfig, *, poll: int = 2000, progress=None, connect_timeout=120.0
    ):
        self.build = build_sim_board(cfg, progress=progress)
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
                    TOPLEVEL,
                    "gaba.boards.bench_board",
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
        """Up to ``size`` bytes, fewer if ``timeout`` seconds pass first."""
        out = bytearray()
        deadline = time.monotonic() + timeout
        while len(out) < size:
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
