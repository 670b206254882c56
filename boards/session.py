"""A board session: what ``gaba board`` does with a board, from the link to the verdict.

:func:`connect` opens a board (a serial port, or the simulated board top on Verilator for the
port ``"sim"``); :func:`run_trials` runs trials of an nWTA or WTA board and :func:`run_foldiak`
trains and tests the Foldiak layer's board; both first hold the board's INFO to the Config
asked for, and return a result object with the golden model's verdict (boards.host's
:func:`~gaba.boards.host.check_run` and :func:`~gaba.boards.host.check_foldiak`).
:func:`read_foldiak` reads the Foldiak layer's learned state back.

Errors: the board's own failures are :class:`~gaba.boards.host.BoardError` (a timeout, an
error reply, a serial port that does not open); the simulated board's build and run raise
``gaba.sim.runner``'s ToolchainError and SimulationError; a board running another Config
raises :class:`ConfigMismatch`; a design the simulated board top cannot carry, ValueError.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from gaba.boards.host import Board, FoldiakBoard, SerialTransport, check_foldiak, check_run
from gaba.golden.config import Config
from gaba.golden.foldiak.config import FoldiakConfig

__all__ = [
    "ConfigMismatch",
    "FoldiakRun",
    "Link",
    "TrialRun",
    "board_clocks",
    "check_config",
    "connect",
    "read_foldiak",
    "run_foldiak",
    "run_trials",
]


class ConfigMismatch(ValueError):
    """The board runs another Config than the one asked for."""


class Link:
    """An open transport and the board speaking over it; ``with`` gives the board and closes
    the transport after."""

    def __init__(self, transport, board: Board):
        self.transport, self.board = transport, board

    def __enter__(self) -> Board:
        return self.board

    def __exit__(self, *exc):
        self.transport.close()


def connect(
    port: str, cfg: Config | FoldiakConfig, *, baud: int, timeout: float = 2.0, progress=None
) -> Link:
    """Open the board on ``port`` (``"sim"``: the board top for ``cfg`` simulated on
    Verilator, built when not cached, ``progress(text)`` telling the stages): a
    FoldiakBoard for a FoldiakConfig, a Board otherwise, waiting ``timeout`` seconds for a
    reply."""
    if port == "sim":
        from gaba.boards.simboard import SimTransport

        transport = SimTransport(cfg, progress=progress)
    else:
        transport = SerialTransport(port, baud)
    if isinstance(cfg, FoldiakConfig):
        return Link(transport, FoldiakBoard(transport, cfg, timeout=timeout))
    return Link(transport, Board(transport, timeout=timeout))


def board_clocks(cfg: Config, info) -> Config:
    """``cfg`` with the clocks per step the board says (INFO) it was built with, where that
    is a valid count (1 to 8)."""
    if 1 <= info.step_clocks <= 8:
        return cfg.replace(step_clocks=info.step_clocks)
    return cfg


def check_config(cfg: Config | FoldiakConfig, info) -> None:
    """ConfigMismatch unless the board (its INFO) runs ``cfg``."""
    if info.config_digest == cfg.digest():
        return
    if isinstance(cfg, FoldiakConfig):
        runs, asked = f"foldiak m={info.m} n={info.n}, FoldiakConfig", cfg.digest()
    else:
        runs, asked = f"{info.kind} n={info.n}, Config", f"Config {cfg.digest()}"
    raise ConfigMismatch(
        f"the board runs {runs} {info.config_digest}; these options give {asked} (pass the "
        "options the bitstream was built with)"
    )


# nWTA and WTA ----------------------------------------------------------------------------------


@dataclass
class TrialRun:
    """One run of trials on an nWTA or WTA board, and its verdict."""

    source: str  # the port
    cfg: Config  # the Config the run was held to
    info: object  # the board's INFO (protocol.Info)
    seed: int
    first: int
    trials: int
    summary: object  # the board's counters after the run (protocol.Summary)
    report: object | None  # gaba.sim.compare.Report; None: results not streamed
    seconds: float  # from the start command to the counters read back

    @property
    def counted(self) -> bool:
        """Whether the board's counters saw every trial."""
        return self.summary.trials == self.trials

    @property
    def ok(self) -> bool:
        """Every trial counted, and (when streamed) every result bit-exact."""
        return (self.report is None or self.report.bit_exact) and self.counted

    def to_json(self) -> dict:
        j = {
            "port": self.source,
            "config_digest": self.info.config_digest,
            "clock_hz": self.info.clock_hz,
            "summary": vars(self.summary),
            "run_seconds": round(self.seconds, 3),
        }
        if self.report is None:
            return {"bit_exact": None, "trials": self.trials, **j}
        return {**self.report.to_json(), **j}


def run_trials(
    board: Board,
    cfg: Config,
    *,
    seed: int,
    trials: int,
    first: int = 0,
    top: int | None = None,
    delta_q: int | None = None,
    check: bool = True,
    adopt_clocks: bool = False,
    source: str = "board",
    progress=None,
) -> TrialRun:
    """Run trials ``first`` .. ``first + trials - 1`` of ``seed`` (``top``: the top-input
    option of every trial; ``delta_q``: the input gap in x's format) and hold every result
    to the golden model; ``check`` False: results not streamed, the board's counters only.
    ``adopt_clocks``: the Config takes the board's clocks per step first (a real board
    built with its default). ``progress(done, total)`` follows the results."""
    info = board.info()
    if adopt_clocks:
        cfg = board_clocks(cfg, info)
    check_config(cfg, info)
    start = time.monotonic()
    board.start(seed, first, trials, top=top, delta_q=delta_q, stream=check)
    if check:
        results = board.results(trials, progress=progress)
    else:
        board.wait_idle(board.timeout * max(trials, 1))
        results = []
    summary = board.summary()
    seconds = time.monotonic() - start
    report = None
    if results:
        report = check_run(
            cfg, results, seed=seed, first=first, top=top, delta_q=delta_q, source=source
        )
    return TrialRun(source, cfg, info, seed, first, trials, summary, report, seconds)


# the Foldiak layer -----------------------------------------------------------------------------


@dataclass
class FoldiakRun:
    """One run of the Foldiak layer on its board (training, state read back, test patterns),
    and its verdict."""

    source: str
    cfg: FoldiakConfig
    info: object  # protocol.FoldiakInfo
    seed: int
    run: int
    presentations: int  # training presentations, the pre-run included
    tests: int
    streamed: bool  # whether the training results were streamed (and checked)
    summary: object  # protocol.FoldiakSummary
    report: object  # gaba.sim.compare_foldiak.FoldiakReport
    seconds: float

    @property
    def ok(self) -> bool:
        return self.report.bit_exact

    def to_json(self) -> dict:
        return {
            **self.report.to_json(),
            "port": self.source,
            "config_digest": self.info.config_digest,
            "clock_hz": self.info.clock_hz,
            "streamed": self.streamed,
            "summary": vars(self.summary),
            "run_seconds": round(self.seconds, 3),
        }


def run_foldiak(
    board: FoldiakBoard,
    cfg: FoldiakConfig,
    *,
    seed: int,
    presentations: int,
    tests: int,
    run: int = 0,
    stream: bool = True,
    source: str = "board",
    progress=None,
) -> FoldiakRun:
    """F_INIT (``seed``, ``run``), F_TRAIN of ``presentations`` (streamed unless ``stream``
    is False), the state read back, F_TEST of ``tests`` patterns; all of it held to the
    golden model. ``progress(done, total)`` follows the training presentations."""
    info = board.info()
    check_config(cfg, info)
    start = time.monotonic()
    board.init(seed, run)
    train = board.train(presentations, stream=stream, progress=progress)
    state = board.state()
    test = board.test(tests) if tests else None
    summary = board.summary()
    seconds = time.monotonic() - start
    report = check_foldiak(
        cfg,
        seed=seed,
        run=run,
        presentations=presentations,
        train=train if stream else None,
        state=state,
        test=test,
        source=source,
    )
    return FoldiakRun(
        source, cfg, info, seed, run, presentations, tests, stream, summary, report, seconds
    )


def read_foldiak(board: FoldiakBoard, cfg: FoldiakConfig) -> tuple[object, dict]:
    """The board's INFO and its learned state (FoldiakBoard.state: q, w, t, the saturation
    flags and the presentation count), once INFO shows it runs ``cfg``."""
    info = board.info()
    check_config(cfg, info)
    return info, board.state()
