"""The Földiák layer in a simulator against the fixed-point golden model.

The bench (gaba.sim.bench_foldiak) starts a run, trains it and tests it; this module holds
every value it records to the golden model:

- the state after CMD_INIT (q from the init stream, w = 0, t = 0);
- every presentation's result: the settled y* of every unit, the pattern's bars, the index and
  (lockstep) the sticky flags;
- ``lockstep``: the whole state (every q_ij, w_ij, t_i and both flags) after every presentation,
  held to ``gaba.golden.foldiak.fixed.trace`` (the readable model);
- ``run``: the final state after all presentations, held to ``gaba.golden.foldiak.fixed.train`` (the
  numba kernel), and the test patterns' y*, held to ``gaba.golden.foldiak.fixed.respond``.

A mismatch names the phase, the presentation, the clock cycle at which the hardware produced
the value, the signal with its unit (and input) index, and the golden and hardware values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gaba.golden.foldiak import bars
from gaba.golden.foldiak import fixed as foldiak
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.golden.validate import check_count, check_seed
from gaba.sim import runner
from gaba.sim.compare import _decode, _fields

__all__ = ["MODES", "FoldiakMismatch", "FoldiakReport", "compare_foldiak", "decode_presentation"]

MODES = ("lockstep", "run")


@dataclass(frozen=True)
class FoldiakMismatch:
    """The first value where hardware and golden model differ."""

    phase: str  # "init", "train" or "test"
    presentation: int  # training: presentations before it (pre-run included); test: pattern
    signal: str  # q, w, t, w_sat, t_sat, ystar, label, index
    index: tuple  # (i, j) for q and w, (i,) for t and ystar, () otherwise
    golden: int
    hardware: int
    cycle: int | None = None  # clock cycle (from reset) at which the hardware showed it

    def describe(self) -> str:
        where = {
            "init": "after CMD_INIT",
            "train": f"training presentation {self.presentation}",
            "test": f"test pattern {self.presentation}",
        }[self.phase]
        at = "" if self.cycle is None else f", cycle {self.cycle}"
        idx = f"[{', '.join(str(v) for v in self.index)}]" if self.index else ""
        return f"{where}{at}: {self.signal}{idx} golden {self.golden} hardware {self.hardware}"

    def to_json(self) -> dict:
        return {
            "phase": self.phase,
            "presentation": self.presentation,
            "cycle": self.cycle,
            "signal": self.signal,
            "index": list(self.index),
            "golden": self.golden,
            "hardware": self.hardware,
        }


@dataclass
class FoldiakReport:
    """Outcome of one comparison (``to_json``: the keys of ``gaba compare foldiak --json``)."""

    simulator: str
    mode: str
    seed: int
    run: int
    presentations: int
    tests: int
    values_compared: int
    mismatches: int
    first_mismatch: FoldiakMismatch | None
    build_seconds: float = 0.0
    sim_seconds: float = 0.0
    sim_cycles: int = 0
    train_cycles: int = 0
    train_seconds: float = 0.0  # wall time of INIT and training in the simulator
    final: dict = field(default_factory=dict)  # the hardware's final q, w, t (arrays)
    test_ystar: np.ndarray | None = None  # the hardware's y* of the test patterns
    test_labels: np.ndarray | None = None
    train_ystar: np.ndarray | None = None  # the hardware's y* of every training presentation
    snapshots: dict | None = None  # run mode: the read-back states ("at": presentations
    # after the pre-run, as gaba.golden.foldiak.fixed.train's snapshot_at)

    @property
    def bit_exact(self) -> bool:
        return self.mismatches == 0

    def to_json(self) -> dict:
        return {
            "design": "foldiak",
            "simulator": self.simulator,
            "mode": self.mode,
            "seed": self.seed,
            "run": self.run,
            "bit_exact": self.bit_exact,
            "trials": self.presentations,
            "presentations": self.presentations,
            "tests": self.tests,
            "cycles_compared": self.presentations + self.tests,
            "values_compared": self.values_compared,
            "mismatches": self.mismatches,
            "first_mismatch": None
            if self.first_mismatch is None
            else self.first_mismatch.to_json(),
            "build_seconds": round(self.build_seconds, 2),
            "sim_seconds": round(self.sim_seconds, 3),
            "sim_cycles": self.sim_cycles,
            "train_cycles": self.train_cycles,
            "train_seconds": round(self.train_seconds, 3),
        }


def decode_presentation(cfg: FoldiakConfig, word: int) -> dict:
    """One result word as {ystar: int64[n], label, index, train, w_sat, t_sat}."""
    from gaba.hdl.foldiak import presentation_layout

    flat = _decode(_fields(presentation_layout(cfg)), word)
    return {
        "ystar": np.array([flat[f"ystar.{i}"] for i in range(cfg.n)], np.int64),
        **{k: flat[k] for k in ("label", "index", "train", "w_sat", "t_sat")},
    }


def _lanes(word: int, bits: int, n: int, signed: bool) -> np.ndarray:
    mask = (1 << bits) - 1
    v = np.array([(word >> (bits * i)) & mask for i in range(n)], np.int64)
    return np.where(v >> (bits - 1), v - (1 << bits), v) if signed else v


def decode_state(cfg: FoldiakConfig, rec: dict) -> dict:
    """The bench's read-back record as {q: [n, m], w: [n, n], t: [n], w_sat, t_sat, cycle}."""
    q = np.stack([_lanes(int(h, 16), cfg.q_bits, cfg.n, False) for h in rec["q"]], axis=1)
    w = np.stack([_lanes(int(h, 16), cfg.w_bits, cfg.n, True) for h in rec["w"]], axis=1)
    t = _lanes(int(rec["t"], 16), cfg.t_bits, cfg.n, True)
    return {
        "q": q,
        "w": w,
        "t": t,
        "w_sat": rec["w_sat"],
        "t_sat": rec["t_sat"],
        "presentations": rec["presentations"],
        "cycle": rec["cycle"],
    }


class _Tally:
    def __init__(self):
        self.compared, self.mismatches, self.first = 0, 0, None

    def array(self, phase, k, signal, golden, hardware, cycle):
        golden, hardware = np.asarray(golden), np.asarray(hardware)
        self.compared += golden.size
        bad = np.argwhere(golden != hardware)
        self.mismatches += len(bad)
        if len(bad) and self.first is None:
            at = tuple(int(v) for v in bad[0])
            self.first = FoldiakMismatch(
                phase, k, signal, at, int(golden[at]), int(hardware[at]), cycle
            )

    def value(self, phase, k, signal, golden, hardware, cycle):
        self.compared += 1
        if int(golden) != int(hardware):
            self.mismatches += 1
            if self.first is None:
                self.first = FoldiakMismatch(
                    phase, k, signal, (), int(golden), int(hardware), cycle
                )

    def results(self, phase, count, words, ystar, labels, w_sat=None, t_sat=None):
        """Each (decoded result, cycle) of ``words``: y*, label, index and kind against the
        golden ``ystar[k]`` and ``labels[k]`` (and the flags, when given); then their count
        against ``count``."""
        for k, (hw, cycle) in enumerate(words):
            self.array(phase, k, "ystar", ystar[k], hw["ystar"], cycle)
            self.value(phase, k, "label", labels[k], hw["label"], cycle)
            self.value(phase, k, "index", k, hw["index"], cycle)
            self.value(phase, k, "train", phase == "train", hw["train"], cycle)
            if w_sat is not None:
                self.value(phase, k, "w_sat", w_sat[k], hw["w_sat"], cycle)
                self.value(phase, k, "t_sat", t_sat[k], hw["t_sat"], cycle)
        self.value(phase, count, "results", count, len(words), None)

    def state(self, phase, k, golden: dict, hw: dict):
        for name in ("q", "w", "t"):
            self.array(phase, k, name, golden[name], hw[name], hw["cycle"])
        for name in ("w_sat", "t_sat"):
            self.value(phase, k, name, golden[name], hw[name], hw["cycle"])


def compare_foldiak(
    cfg: FoldiakConfig,
    simulator: str = "verilator",
    mode: str = "run",
    *,
    presentations: int = 0,
    tests: int = 0,
    seed: int = 1,
    run: int = 0,
    hw_config: FoldiakConfig | None = None,
    snapshot_every: int = 0,
    waves: bool = False,
    progress=None,
) -> FoldiakReport:
    """Simulate the layer built from ``hw_config`` (default ``cfg``) and compare it with the
    golden model of ``cfg`` over ``presentations`` training presentations (the pre-run
    included) and ``tests`` test patterns of run ``run`` of ``seed``.

    ``snapshot_every`` (run mode): the state is also read back and compared after the pre-run
    and every so many presentations after it (``gaba.golden.foldiak.fixed.train``'s snapshots).
    """
    if mode not in MODES:
        raise ValueError(f"Mode must be one of {', '.join(MODES)}, not {mode!r}")
    for name, value in (("Presentation count", presentations), ("Test count", tests)):
        check_count(name, value, 0)
    check_seed(seed)
    check_count("Run", run, 0)
    if mode == "run" and 0 < presentations < cfg.pre_presentations:
        raise ValueError(
            f"a run of {presentations} presentations ends inside the {cfg.pre_presentations}-"
            "presentation threshold pre-run; use lockstep mode or at least the pre-run"
        )
    hw_cfg = hw_config or cfg
    extra = max(0, presentations - cfg.pre_presentations)
    at = foldiak._snapshot_points(extra, snapshot_every if mode == "run" else 0)
    chunks = [int(v) for v in np.diff([0, *(at + cfg.pre_presentations)])] if extra else None
    b = runner.build(hw_cfg, simulator, waves=waves, progress=progress)
    if progress:
        progress(f"simulating {presentations} presentations and {tests} tests on {simulator}")
    out = runner.run_bench(
        b,
        "run",
        {
            "seed": seed,
            "run": run,
            "presentations": presentations,
            "tests": tests,
            "lockstep": mode == "lockstep",
            "chunks": chunks,
        },
        name=f"{mode}-s{seed}-r{run}-p{presentations}-t{tests}",
        waves=waves,
    )
    tally = _Tally()
    states = [decode_state(hw_cfg, rec) for rec in out["states"]]
    start = foldiak.initial_state(cfg, seed, run)
    tally.state("init", 0, vars(start), states[0])

    # training: the readable model presentation by presentation (lockstep), or the kernel
    train_words = [(decode_presentation(hw_cfg, int(h, 16)), c) for h, c in out["train"]]
    if presentations:
        if mode == "lockstep":
            extra = max(0, presentations - cfg.pre_presentations)
            tr = foldiak.trace(cfg, seed, run, extra)
            g_ystar, g_labels = tr.ystar, tr.labels
            g_w_sat, g_t_sat = tr.w_sat[1:], tr.t_sat[1:]
            for k in range(presentations):
                golden = {name: getattr(tr, name)[k + 1] for name in ("q", "w", "t")}
                golden |= {"w_sat": tr.w_sat[k + 1], "t_sat": tr.t_sat[k + 1]}
                tally.state("train", k, golden, states[k + 1])
            final = {name: getattr(tr, name)[presentations] for name in ("q", "w", "t")}
        else:
            learned = foldiak.train(
                cfg, 1, extra, seed, first_run=run, snapshot_every=snapshot_every
            )
            g_ystar = learned.ystar[0]
            streams = foldiak.stream_seeds(seed, 1, foldiak.STREAM_TRAIN, run)
            g_labels = bars.prng_bars(streams, presentations)[1][0]
            g_w_sat = g_t_sat = None
            # the read-backs after each chunk are the kernel's snapshots (the last: the end)
            for s, point in enumerate(at if chunks else []):
                golden = {"q": learned.q_hist[0, s], "w": learned.w_hist[0, s]}
                golden |= {"t": learned.t_hist[0, s], "w_sat": learned.w_sat_hist[0, s]}
                golden |= {"t_sat": learned.t_sat_hist[0, s]}
                k = int(point) + cfg.pre_presentations
                tally.state("train", k - 1, golden, states[1 + s])
            golden = {"q": learned.q[0], "w": learned.w[0], "t": learned.t[0]}
            golden |= {"w_sat": learned.w_sat[0], "t_sat": learned.t_sat[0]}
            tally.state("train", presentations - 1, golden, states[-1])
            final = golden
            snapshots = {
                "at": at,
                "q": np.array([st["q"] for st in states[1:]]),
                "w": np.array([st["w"] for st in states[1:]]),
                "t": np.array([st["t"] for st in states[1:]]),
                "w_sat": np.array([st["w_sat"] for st in states[1:]], bool),
                "t_sat": np.array([st["t_sat"] for st in states[1:]], bool),
            }
        tally.results("train", presentations, train_words, g_ystar, g_labels, g_w_sat, g_t_sat)
    else:
        final = {"q": start.q, "w": start.w, "t": start.t}

    if mode == "lockstep" or not presentations:
        snapshots = None
    # test patterns on the final state, no learning
    test_words = [(decode_presentation(hw_cfg, int(h, 16)), c) for h, c in out["test"]]
    test_ystar = test_labels = None
    if tests:
        x, labels = foldiak.test_patterns(seed, 1, tests, first_run=run)
        ystar = foldiak.respond(cfg, final["q"][None], final["w"][None], final["t"][None], x)[0]
        tally.results("test", tests, test_words, ystar, labels[0])
        test_ystar = np.array([hw["ystar"] for hw, _ in test_words])
        test_labels = np.array([hw["label"] for hw, _ in test_words])
    return FoldiakReport(
        simulator,
        mode,
        seed,
        run,
        presentations,
        tests,
        values_compared=tally.compared,
        mismatches=tally.mismatches,
        first_mismatch=tally.first,
        build_seconds=b.seconds,
        sim_seconds=out["seconds"],
        sim_cycles=int(out["cycles"]),
        train_cycles=int(out["train_cycles"]),
        train_seconds=float(out["train_seconds"]),
        final={k: states[-1][k] for k in ("q", "w", "t")},
        test_ystar=test_ystar,
        test_labels=test_labels,
        train_ystar=np.array([hw["ystar"] for hw, _ in train_words]),
        snapshots=snapshots,
    )


def hardware_bars(
    cfg: FoldiakConfig,
    runs: int,
    presentations: int,
    seed: int,
    *,
    simulator: str = "verilator",
    test_patterns: int = 1000,
    snapshot_every: int = 100,
    progress=None,
    say=None,
):
    """The bars experiment of ``gaba.golden.foldiak.experiments.run_bars`` on the simulated
    hardware: each run learns on chip (pre-run, then ``presentations``), its state is read
    back every ``snapshot_every`` presentations, and it codes ``test_patterns`` fresh ones;
    every value is also held to the golden model.

    Returns (BarsOutcome scored from the hardware's own weights and outputs, [FoldiakReport]).
    """
    import time

    from gaba.golden.foldiak.experiments import BarsOutcome
    from gaba.golden.foldiak.reference import Learned

    check_count("Run count", runs, 1)
    start = time.monotonic()
    total = cfg.pre_presentations + presentations
    reports = []
    for r in range(runs):
        if say:
            say(f"run {r + 1}/{runs} on {simulator}")
        reports.append(
            compare_foldiak(
                cfg,
                simulator,
                "run",
                presentations=total,
                tests=test_patterns,
                seed=seed,
                run=r,
                snapshot_every=snapshot_every,
                progress=say if r == 0 else None,
            )
        )
        if progress:
            progress((r + 1) * total, runs * total)
    snaps = [rep.snapshots for rep in reports]
    learned = Learned(
        q=np.array([rep.final["q"] for rep in reports]),
        w=np.array([rep.final["w"] for rep in reports]),
        t=np.array([rep.final["t"] for rep in reports]),
        y=np.array([rep.train_ystar > cfg.half for rep in reports]),
        ystar=np.array([rep.train_ystar for rep in reports]),
        snapshot_at=snaps[0]["at"],
        q_hist=np.array([s["q"] for s in snaps]),
        w_hist=np.array([s["w"] for s in snaps]),
        t_hist=np.array([s["t"] for s in snaps]),
        w_sat=np.array([s["w_sat"][-1] for s in snaps]),
        t_sat=np.array([s["t_sat"][-1] for s in snaps]),
        w_sat_hist=np.array([s["w_sat"] for s in snaps]),
        t_sat_hist=np.array([s["t_sat"] for s in snaps]),
        pre_presentations=cfg.pre_presentations,
        scale=float(cfg.one),
    )
    y = np.array([rep.test_ystar > cfg.half for rep in reports])
    masks = np.array([rep.test_labels for rep in reports])
    outcome = BarsOutcome(
        model=simulator,
        seed=seed,
        learned=learned,
        represented=bars.bars_represented(learned.q),
        curve=bars.bars_represented(learned.q_hist).mean(axis=0),
        code_error=bars.code_errors(y, masks, bars.unit_bars(learned.q)).mean(axis=1),
        test_patterns=test_patterns,
        seconds=time.monotonic() - start,
        config=cfg,
    )
    return outcome, reports
