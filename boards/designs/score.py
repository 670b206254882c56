"""The self-running trial engines on a board: a board entry for each, and a run of trials.

Every design of the design registry that is a :class:`gaba.sim.designs.argmax.ScoreTrials`
(its component a ``gaba.hdl.argmax.ScoreEngine``) gets a :class:`ScoreBoard` here, made from
the registry, so a new engine has a board top the day it has a design entry. They share one
board top (:class:`gaba.boards.tops.score.ScoreBoardTop`) and one host driver
(:class:`gaba.boards.host.ScoreBoard`). :func:`run_scores` starts a run of trials, streams
every result and holds it to the design's own golden rows (``check_board`` of its
ScoreTrials entry), or leaves the results on the board and reads its counters only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from gaba.boards.design import BoardDesign, RunOption, run_lines, verdict
from gaba.boards.host import BoardError, ScoreBoard, check_config
from gaba.boards.tops.score import ScoreBoardTop, check_design, run_inputs, score_info_payload
from gaba.golden.primitives import MASK32
from gaba.golden.validate import check_int
from gaba.sim import designs as sim_designs
from gaba.sim.designs.argmax import ScoreTrials

__all__ = ["DESIGNS", "EngineBoard", "ScoreRun", "run_scores"]


@dataclass
class ScoreRun:
    """One run of a score engine's trials on its board, and its verdict."""

    source: str  # the port
    design: str
    cfg: object  # the Config the run was held to
    info: object  # protocol.ScoreInfo
    seed: int
    first: int
    trials: int
    inputs: dict  # the engine's other run inputs, by port name
    summary: object  # protocol.ScoreSummary
    report: object | None  # gaba.sim.scoreboard.Report; None: results not streamed
    seconds: float

    @property
    def counted(self) -> bool:
        """Whether the board's counters saw every trial."""
        return self.summary.results == self.trials

    @property
    def ok(self) -> bool:
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
            return {"bit_exact": None, "design": self.design, "trials": self.trials, **j}
        return {**self.report.to_json(), **j}

    def lines(self) -> list[str]:
        s, clock_hz = self.summary, self.info.clock_hz
        given = "".join(f", {k} {v}" for k, v in self.inputs.items())
        if self.report is None:
            results = "not streamed (--no-check): counters only"
        else:
            results = f"{verdict(self.report)} against the golden model, trial by trial"
        return run_lines(
            f"{self.design} n={self.cfg.n} on {self.source} (Config {self.info.config_digest}): "
            f"{self.trials} trials from {self.first}, seed {self.seed}{given}",
            results,
            self.report,
            f"{s.results} results in {s.run_cycles} cycles = "
            f"{s.run_cycles / clock_hz * 1e6:.1f} us at {clock_hz / 1e6:g} MHz",
            self.seconds,
        )

    def warnings(self) -> list[str]:
        if self.counted:
            return []
        return [f"the board counted {self.summary.results} results, expected {self.trials}"]


def run_scores(
    board: ScoreBoard,
    design: ScoreTrials,
    cfg,
    *,
    seed: int,
    trials: int,
    first: int = 0,
    inputs: dict | None = None,
    check: bool = True,
    source: str = "board",
    progress=None,
) -> ScoreRun:
    """Run trials ``first`` .. ``first + trials - 1`` of ``seed`` on a board running
    ``design`` (``inputs``: the engine's other run inputs by port name; those not given are
    the design's own for the run, ``run_inputs``) and hold every result to its golden rows;
    ``check`` False: results not streamed, the board's counters only. ``progress(done,
    total)`` follows the results."""
    info = board.info()
    if info.design != design.name:
        raise BoardError(f"the board runs {info.design}, not {design.name}")
    check_config(cfg, info)
    order = run_inputs(design)
    given = {k: v for k, v in (inputs or {}).items() if v is not None}
    unknown = sorted(set(given) - set(order))
    if unknown:
        raise ValueError(f"{design.name} takes no run input {', '.join(unknown)}")
    for name, value, low in (
        ("Seed", seed, 0),
        ("First trial", first, 0),
        ("Trial count", trials, 1),
    ):
        check_int(name, value, low, MASK32)
    for name, value in given.items():
        check_int(name, value, 0, MASK32)
    values = {**design.run_inputs(trials, first), **given}
    values = {k: values.get(k, 0) for k in order}
    start = time.monotonic()
    board.start(seed, first, trials, [values[k] for k in order], stream=check)
    if check:
        results = board.results(trials, progress=progress)
    else:
        board.wait_idle(board.timeout * max(trials, 1))
        results = None
    summary = board.summary()
    seconds = time.monotonic() - start
    report = None
    if results is not None:
        report = design.check_board(
            cfg, results, seed=seed, first=first, trials=trials, inputs=values, source=source
        )
    return ScoreRun(
        source, design.name, cfg, info, seed, first, trials, values, summary, report, seconds
    )


class EngineBoard(BoardDesign):
    """A score engine (a ScoreTrials design) on a board."""

    top = ScoreBoardTop
    host = ScoreBoard

    def __init__(self, design: ScoreTrials):
        self.name = design.name
        names = tuple(design.run_inputs(1))
        self.run_options = (
            RunOption("first", "index of the first trial (0)"),
            *(RunOption(k, f"the engine's run input {k} (default: the design's)") for k in names),
        )

    def top_args(self) -> dict:
        return {"design": self.design}

    def info_payload(self, cfg, divisor: int, clock_hz: int, fifo_depth: int) -> bytes:
        return score_info_payload(self.design, cfg, divisor, clock_hz, fifo_depth)

    def check_board(self, cfg, spec) -> None:
        check_design(self.design, cfg)

    def clock_div(self, cfg, spec) -> int:
        # a run's start computes the first trial's key, fmix32(seed) + first * WEYL, in one
        # clock (gaba.hdl.argmax.ScoreEngine): on the ULX3S that path reached 22.1 MHz at
        # kwta n = 32 (docs/boards.md), below the 25 MHz board clock: the divided clock
        return spec.clock_div

    def describe(self, cfg) -> str:
        return f"{self.name} {self.design.describe(cfg)}"

    def open(self, transport, cfg, *, timeout: float) -> ScoreBoard:
        return ScoreBoard(transport, timeout=timeout)

    def check_options(self, cfg, options: dict) -> dict:
        first = options.get("first")
        inputs = {k: v for k, v in options.items() if k != "first"}
        for k, v in inputs.items():
            if v is not None and not 0 <= v < 1 << 32:
                raise ValueError(f"--{k.replace('_', '-')} must lie in 0..2**32 - 1, not {v}")
        return {"first": 0 if first is None else first, "inputs": inputs}

    def run(self, board, cfg, *, seed, count, check, adopt, source, progress=None, **options):
        return run_scores(
            board,
            self.design,
            cfg,
            seed=seed,
            trials=100 if count is None else count,
            first=options.get("first") or 0,
            inputs=options.get("inputs"),
            check=check,
            source=source,
            progress=progress,
        )


#: A board entry for every score engine of the design registry, in its order.
DESIGNS = tuple(EngineBoard(d) for d in sim_designs.REGISTRY.values() if isinstance(d, ScoreTrials))
