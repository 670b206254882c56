"""The nWTA and WTA trial engines on a board: their board entries, and a run of trials.

Both designs have one board top (:class:`gaba.boards.tops.nwta.BoardTop`) and one host driver
(:class:`gaba.boards.host.Board`). :func:`run_trials` starts a run of trials, streams every
result and holds it to the golden model (``check_board`` of the design's own scoreboard,
:mod:`gaba.sim.designs.nwta`), or leaves the results on the board and reads its counters only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from gaba.boards.design import BoardDesign, RunOption, run_lines, verdict
from gaba.boards.host import Board, check_config
from gaba.boards.tops.nwta import BoardTop, info_payload
from gaba.golden.config import Config
from gaba.sim import designs as sim_designs

__all__ = [
    "ADOPTABLE",
    "NWTA",
    "WTA",
    "NetworkBoard",
    "TrialRun",
    "as_built",
    "run_trials",
]


#: What a Config can take from a board's INFO (``as_built``).
ADOPTABLE = ("step_clocks", "latency", "shared_noise", "pipelined", "products")


def as_built(cfg: Config, info, fields=ADOPTABLE) -> Config:
    """``cfg`` with what the board says (INFO) it was built with, for the ``fields`` named:
    its clocks per step (where that is a valid count, 1 to 8), its inhibition latency, its
    noise units, pipelining and how it builds products by constants. Where the options given
    and the board's cannot make a Config, ``cfg`` as it is (the digest check names the
    mismatch)."""
    changes = {f: getattr(info, f) for f in fields if f in ADOPTABLE}
    if not 1 <= changes.get("step_clocks", 1) <= 8:
        del changes["step_clocks"]
    try:
        return cfg.replace(**changes) if changes else cfg
    except ValueError:
        return cfg


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
    report: object | None  # gaba.sim.scoreboard.Report; None: results not streamed
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

    def lines(self) -> list[str]:
        cfg, info, s, report = self.cfg, self.info, self.summary, self.report
        if report is None:
            results = "not streamed (--no-check): counters only"
        else:
            results = (
                f"{verdict(report)} against the golden model, trial by trial (winner, top, "
                "cycles, flags, final-state digest)"
            )
        us = s.run_cycles / info.clock_hz * 1e6
        return run_lines(
            f"{cfg.kind} n={cfg.n} on {self.source} (Config {info.config_digest}): "
            f"{self.trials} trials from {self.first}, seed {self.seed}",
            results,
            report,
            f"{s.trials} trials, {s.decided} decided, {s.correct} for the top option, "
            f"{s.saturated} saturated; {s.steps} steps; {s.run_cycles} cycles = {us:.1f} us at "
            f"{info.clock_hz / 1e6:g} MHz",
            self.seconds,
        )

    def warnings(self) -> list[str]:
        if self.counted:
            return []
        return [f"the board counted {self.summary.trials} trials, expected {self.trials}"]


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
    adopt=(),
    source: str = "board",
    progress=None,
) -> TrialRun:
    """Run trials ``first`` .. ``first + trials - 1`` of ``seed`` (``top``: the top-input
    option of every trial; ``delta_q``: the input gap in x's format) and hold every result
    to the golden model; ``check`` False: results not streamed, the board's counters only.
    ``adopt``: the Config first takes these of the board's build (``ADOPTABLE``
    names; True: all of them), for a real board built with its defaults.
    ``progress(done, total)`` follows the results."""
    info = board.info()
    if adopt:
        cfg = as_built(cfg, info, ADOPTABLE if adopt is True else adopt)
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
        report = sim_designs.get(cfg.kind).check_board(
            cfg, results, seed=seed, first=first, top=top, delta_q=delta_q, source=source
        )
    return TrialRun(source, cfg, info, seed, first, trials, summary, report, seconds)


#: The result FIFO's depth on a board top of a folded network (the host link's default: 32).
FOLDED_FIFO_DEPTH = 4


class NetworkBoard(BoardDesign):
    """The nWTA or WTA trial engine on a board."""

    top = BoardTop
    host = Board
    replicable = True
    run_options = (
        RunOption("first", "index of the first trial (0)"),
        RunOption("top", "top-input option of every trial"),
        RunOption(
            "delta_in",
            "input gap set by the host for every trial (units of b_max)",
            kind="number",
        ),
    )

    def __init__(self, name: str):
        self.name = name

    def info_payload(self, cfg: Config, divisor: int, clock_hz: int, fifo_depth: int) -> bytes:
        return info_payload(cfg, divisor, clock_hz, fifo_depth)

    def clock_div(self, cfg: Config, spec) -> int:
        # an Euler step in one clock with the inhibition inside it (latency 0) is a long
        # path: the board's divided clock (not in a folded network's pipeline)
        # (with shared noise too: the x loop is one clock's path, whatever the clocks a step)
        long_step = cfg.one_clock_x_loop and cfg.latency == 0 and cfg.lanes is None
        return spec.clock_div if long_step else 1

    def board_top(self, cfg: Config, **kwargs):
        # a folded network's trial takes thousands of clocks per step: a result FIFO of 4
        # (in flip-flops) keeps up with any host, and leaves the block RAMs to the lanes
        if cfg.lanes is not None:
            kwargs.setdefault("fifo_depth", FOLDED_FIFO_DEPTH)
        return super().board_top(cfg, **kwargs)

    def build_fields(self, cfg: Config) -> dict:
        return {
            "latency": cfg.latency,
            "step_clocks": cfg.step_clocks,
            "lanes": cfg.lanes,
            "shared_noise": cfg.shared_noise,
            "pipelined": cfg.pipelined,
            "products": cfg.products,
        }

    def label(self, cfg: Config) -> str:
        return f"{super().label(cfg)}, latency {cfg.latency}"

    def adopt(self, cfg: Config, info, fields=ADOPTABLE) -> Config:
        return as_built(cfg, info, fields)

    def check_options(self, cfg: Config, options: dict) -> dict:
        top, delta_in = options.get("top"), options.get("delta_in")
        delta_q = None
        if delta_in is not None:
            delta_q = round(delta_in * 2**cfg.frac_bits)
            if not 0 <= delta_q <= cfg.x_max:
                raise ValueError(
                    f"--delta-in must lie in 0..{cfg.x_max / 2**cfg.frac_bits:g}, not {delta_in}"
                )
        if top is not None and top >= cfg.n:
            raise ValueError(f"--top must be below n = {cfg.n}, not {top}")
        first = options.get("first")
        return {"first": 0 if first is None else first, "top": top, "delta_q": delta_q}

    def run(self, board, cfg, *, seed, count, check, adopt, source, progress=None, **options):
        return run_trials(
            board,
            cfg,
            seed=seed,
            trials=100 if count is None else count,
            check=check,
            adopt=adopt,
            source=source,
            progress=progress,
            **options,
        )


NWTA = NetworkBoard("nwta")
WTA = NetworkBoard("wta")
DESIGNS = (NWTA, WTA)
