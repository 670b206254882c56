"""The Földiák layer on a board: its board entry, a run (training, state, test patterns) and
the learned state read back.

Its board top is :class:`gaba.boards.tops.foldiak.FoldiakBoardTop`, its host driver
:class:`gaba.boards.host.FoldiakBoard`; :func:`run_foldiak` trains and tests the layer and
holds all of it to the golden model (``check_board`` of the layer's own scoreboard,
:mod:`gaba.sim.designs.foldiak`). The layer runs at half the board clock and does not fit an iCE40.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from gaba.boards.design import BoardDesign, RunOption, run_lines, verdict
from gaba.boards.host import BoardError, FoldiakBoard, check_config
from gaba.boards.tops.foldiak import FoldiakBoardTop, foldiak_info_payload
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.sim.designs.foldiak import FOLDIAK as FOLDIAK_LAYER
from gaba.sim.designs.foldiak import FOLDIAK_DIGITS as DIGITS_LAYER

__all__ = [
    "FOLDIAK",
    "FOLDIAK_DIGITS",
    "FoldiakRun",
    "LayerBoard",
    "LayerState",
    "read_foldiak",
    "run_foldiak",
]

#: LUT4s of the Foldiak layer alone (n = 16) in Yosys' iCE40 synthesis (docs/foldiak.md): four
#: times an iCE40UP5K, so the Foldiak board top is built for the ULX3S only.
FOLDIAK_ICE40_LUTS = 20894


def _yes(flag) -> str:
    return "yes" if flag else "no"


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
    report: object  # gaba.sim.scoreboard.Report
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

    def lines(self) -> list[str]:
        cfg, report, s, clock_hz = self.cfg, self.report, self.summary, self.info.clock_hz
        what = "every presentation's y*, label, index and flags; " if self.streamed else ""
        tests = "; the test patterns" if self.tests else ""
        return run_lines(
            f"{self.info.kind} m={cfg.m} n={cfg.n} on {self.source} (FoldiakConfig "
            f"{self.info.config_digest}): run {self.run} of seed {self.seed}, "
            f"{self.presentations} presentations (pre-run {cfg.pre_presentations} included), "
            f"{self.tests} test patterns",
            f"{verdict(report)} against the golden model: {what}q, w, t read back{tests} "
            f"({report.compared} values)",
            report,
            f"{s.presentations} presentations, w_sat {_yes(s.w_sat)}, t_sat {_yes(s.t_sat)}; "
            f"the last command: {s.results} results in {s.run_cycles} cycles = "
            f"{s.run_cycles / clock_hz * 1e6:.1f} us at {clock_hz / 1e6:g} MHz",
            self.seconds,
        )

    def warnings(self) -> list[str]:
        return []


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
    layer=FOLDIAK_LAYER,
    progress=None,
) -> FoldiakRun:
    """F_INIT (``seed``, ``run``), F_TRAIN of ``presentations`` (streamed unless ``stream``
    is False), the state read back, F_TEST of ``tests`` patterns; all of it held to the
    golden model of ``layer`` (the design's entry: its pattern source).
    ``progress(done, total)`` follows the training presentations."""
    info = board.info()
    if info.kind != layer.name:  # the two layers share their Config
        raise BoardError(f"the board runs {info.kind}, not {layer.name}")
    check_config(cfg, info)
    start = time.monotonic()
    board.init(seed, run)
    train = board.train(presentations, stream=stream, progress=progress)
    state = board.state()
    test = board.test(tests) if tests else None
    summary = board.summary()
    seconds = time.monotonic() - start
    report = layer.check_board(
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


@dataclass
class LayerState:
    """The learned state read back from a board (FoldiakBoard.state: q, w, t, the saturation
    flags and the presentation count)."""

    source: str
    cfg: FoldiakConfig
    info: object  # protocol.FoldiakInfo
    state: dict

    def to_json(self) -> dict:
        state = self.state
        return {
            "port": self.source,
            "config_digest": self.info.config_digest,
            "frac_bits": self.cfg.frac_bits,
            "presentations": state["presentations"],
            "w_sat": state["w_sat"],
            "t_sat": state["t_sat"],
            **{name: state[name].tolist() for name in ("q", "w", "t")},
        }

    def lines(self) -> list[str]:
        cfg, state = self.cfg, self.state
        one = 2.0**cfg.frac_bits
        ranges = ", ".join(
            f"{name} in [{state[name].min() / one:.3f}, {state[name].max() / one:.3f}]"
            for name in ("q", "w", "t")
        )
        return [
            f"{self.source}: foldiak m={cfg.m} n={cfg.n}, {state['presentations']} "
            f"presentations, w_sat {_yes(state['w_sat'])}, t_sat {_yes(state['t_sat'])}; "
            f"{ranges}",
            "  t " + " ".join(f"{v / one:.3f}" for v in state["t"]),
            "  (--json: q [n][m], w [n][n] and t [n] as integers, value / 2**frac_bits)",
        ]


def read_foldiak(board: FoldiakBoard, cfg: FoldiakConfig, *, source: str = "board") -> LayerState:
    """The board's learned state, once its INFO shows it runs ``cfg``."""
    info = board.info()
    check_config(cfg, info)
    return LayerState(source, cfg, info, board.state())


class LayerBoard(BoardDesign):
    """The Földiák layer, learning on chip, on a board; ``name``: its design (``foldiak`` on
    the bars, ``foldiak-digits`` on the digits' image ROM), whose pattern source the board
    top and the golden model take."""

    top = FoldiakBoardTop
    host = FoldiakBoard
    unit = "presentations"
    count_help = "training presentations, the pre-run included (pre-run + 100)"
    run_options = (
        RunOption("tests", "test patterns after the training (100)"),
        RunOption("run", "run index (0)"),
    )
    no_check = "training results not streamed; the state and tests still checked"
    after_abort = " (F_INIT starts a new run)"
    learns = True

    def __init__(self, name: str):
        self.name = name

    def top_args(self) -> dict:
        return {"source": self.design.source, "kind": self.name}

    def info_payload(self, cfg, divisor: int, clock_hz: int, fifo_depth: int) -> bytes:
        return foldiak_info_payload(cfg, divisor, clock_hz, fifo_depth, self.name)

    def check_board(self, cfg: FoldiakConfig, spec) -> None:
        super().check_board(cfg, spec)
        if spec.family == "ice40":
            raise ValueError(
                f"the Foldiak layer does not fit the {spec.device} ({spec.capacity_text()}): "
                f"at n = 16 it needs {FOLDIAK_ICE40_LUTS} LUT4s with its multipliers in logic; "
                "build it for the ULX3S (--board ulx3s)"
            )

    def clock_div(self, cfg: FoldiakConfig, spec) -> int:
        # the settling update's path reaches the ULX3S's 25 MHz by 0 to 6 % from build to
        # build (docs/boards-foldiak.md): half the board clock
        return spec.clock_div

    def label(self, cfg: FoldiakConfig) -> str:
        return f"{self.name} m={cfg.m} n={cfg.n}, FoldiakConfig {cfg.digest()}"

    def open(self, transport, cfg: FoldiakConfig, *, timeout: float) -> FoldiakBoard:
        return FoldiakBoard(transport, cfg, timeout=timeout)

    def run(self, board, cfg, *, seed, count, check, adopt, source, progress=None, **options):
        tests, run = options.get("tests"), options.get("run")
        return run_foldiak(
            board,
            cfg,
            seed=seed,
            run=run or 0,
            presentations=cfg.pre_presentations + 100 if count is None else count,
            tests=100 if tests is None else tests,
            stream=check,
            source=source,
            layer=self.design,
            progress=progress,
        )

    def read(self, board, cfg: FoldiakConfig, *, source: str = "board") -> LayerState:
        return read_foldiak(board, cfg, source=source)


FOLDIAK = LayerBoard(FOLDIAK_LAYER.name)
FOLDIAK_DIGITS = LayerBoard(DIGITS_LAYER.name)
DESIGNS = (FOLDIAK, FOLDIAK_DIGITS)
