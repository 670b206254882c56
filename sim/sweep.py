"""Decision time against the number of options: sweeps on the golden model or the hardware.

A sweep runs K trials at each n of a grid, from one Config per n (the paper point with the
given delta and sigma; the parameters never change with n, which is the point of nWTA). On a
hardware target every trial also runs on the golden model from the same Config and seeds, and
the rows of both must be identical (the sweep is then an equivalence check over all its
trials as well). Each row: mean decision cycles and time (units of tau) over decided trials,
accuracy over decided trials with a 95 % Wilson interval, and the fraction decided.

Delta and sigma may be grids as well: the sweep covers every (delta, sigma, n). In hardware
the input gap is a host input of the trial engine, so a grid over delta reuses one build per
(sigma, n); sigma is a constant of the circuit and needs a build of its own.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gaba.golden import fixed, results
from gaba.golden.config import Config
from gaba.golden.results import TrialResults
from gaba.golden.validate import check_count
from gaba.sim import designs, plots, runner
from gaba.sim.pool import Done, Pool, Task, blocks
from gaba.sim.runner import ToolchainError

__all__ = [
    "Block",
    "Row",
    "SweepResult",
    "fit_per_doubling",
    "lanes_for",
    "point_block",
    "sweep",
    "write_outputs",
]

TARGETS = ("golden", "verilator", "icarus")


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a binomial proportion (nan, nan when n = 0)."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # exact at the ends (the formula gives 1 - 1e-16 for p = 1)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


@dataclass
class Row:
    """One point of a sweep."""

    n: int
    trials: int
    mean_decision_cycles: float | None
    mean_decision_time: float | None
    decision_time_se: float | None
    accuracy: float | None
    accuracy_low: float | None
    accuracy_high: float | None
    decided_fraction: float
    delta: float | None = None
    sigma: float | None = None

    @classmethod
    def of(cls, n: int, res, delta: float | None = None, sigma: float | None = None) -> Row:
        s = res.summary()
        correct = int(res.correct.sum())
        decided = int(res.decided.sum())
        low, high = wilson(correct, decided)
        steps = float(res.steps[res.decided].mean()) if decided else None
        return cls(
            n=n,
            trials=res.trials,
            mean_decision_cycles=steps,
            mean_decision_time=s["mean_decision_time"],
            decision_time_se=s["mean_decision_time_se"],
            accuracy=s["accuracy"],
            accuracy_low=None if math.isnan(low) else low,
            accuracy_high=None if math.isnan(high) else high,
            decided_fraction=s["decided_fraction"],
            delta=delta,
            sigma=sigma,
        )


def fit_per_doubling(rows: list[Row]) -> dict:
    """Least-squares fit of mean decision time against log2 n (rows where trials decided)."""
    pts = [(math.log2(r.n), r.mean_decision_time) for r in rows if r.mean_decision_time]
    if len(pts) < 2:
        return {"slope_per_doubling": None, "intercept": None}
    x, y = np.array(pts).T
    slope, intercept = np.polyfit(x, y, 1)
    return {"slope_per_doubling": float(slope), "intercept": float(intercept)}


def _grid(name: str, values) -> list[float]:
    values = [values] if isinstance(values, (int, float)) else list(values)
    if not values:
        raise ValueError(f"The {name} grid must name at least one value")
    return [float(v) for v in values]


@dataclass
class SweepResult:
    kind: str
    target: str
    deltas: list[float]
    sigmas: list[float]
    seed: int
    rows: list[Row]
    golden_rows: list[Row] | None = None  # hardware targets: the golden model's rows
    identical: bool | None = None  # hardware targets: every trial bit-exact
    mismatches: int = 0
    build_seconds: float = 0.0  # summed over tasks (on every worker)
    run_seconds: float = 0.0  # summed over tasks (on every worker)
    notes: list = field(default_factory=list)
    where: str = "this process"  # where the tasks ran (gaba.sim.pool.Pool.where)
    tasks: int = 0
    wall_seconds: float = 0.0
    # blocks merged or run elsewhere: whether the golden rows equal one serial run per point
    # recomputed here (hardware targets; None when not checked)
    serial_identical: bool | None = None
    # per point: build and run seconds summed over its tasks, and how many tasks it took
    costs: list = field(default_factory=list)

    @property
    def delta(self) -> float | list[float]:
        return self.deltas[0] if len(self.deltas) == 1 else self.deltas

    @property
    def sigma(self) -> float | list[float]:
        return self.sigmas[0] if len(self.sigmas) == 1 else self.sigmas

    def groups(self) -> list[tuple[float, float, list[Row]]]:
        """The rows of each (delta, sigma), in sweep order."""
        return [
            (d, s, [r for r in self.rows if (r.delta, r.sigma) == (d, s)])
            for s in self.sigmas
            for d in self.deltas
        ]

    @property
    def fits(self) -> list[dict]:
        """Decision time against log2 n, one fit per (delta, sigma)."""
        return [{"delta": d, "sigma": s} | fit_per_doubling(rows) for d, s, rows in self.groups()]

    @property
    def fit(self) -> dict:
        """The fit of a sweep over n alone (one delta, one sigma); otherwise see ``fits``."""
        if len(self.deltas) * len(self.sigmas) > 1:
            return {"slope_per_doubling": None, "intercept": None}
        return fit_per_doubling(self.rows)

    def to_json(self) -> dict:
        keys = (
            "n",
            "delta",
            "sigma",
            "mean_decision_cycles",
            "mean_decision_time",
            "accuracy",
            "decided_fraction",
        )
        return {
            "kind": self.kind,
            "target": self.target,
            "delta": self.delta,
            "sigma": self.sigma,
            "seed": self.seed,
            "rows": [
                {k: getattr(r, k) for k in keys}
                | {
                    "trials": r.trials,
                    "accuracy_ci95": [r.accuracy_low, r.accuracy_high],
                    "decision_time_se": r.decision_time_se,
                }
                for r in self.rows
            ],
            "fit": self.fit,
            "fits": self.fits,
            "identical_to_golden": self.identical,
            "notes": self.notes,
            "mismatches": self.mismatches,
            "build_seconds": round(self.build_seconds, 2),
            "run_seconds": round(self.run_seconds, 2),
            "where": self.where,
            "tasks": self.tasks,
            "wall_seconds": round(self.wall_seconds, 2),
            "identical_to_serial": self.serial_identical,
            "costs": self.costs,
        }


def lanes_for(n: int, lanes: int) -> int:
    """The lanes a sweep's folded network of n options gets with ``--lanes K``: K, or below
    n the largest power of two that is (a folded network has fewer lanes than neurons)."""
    return min(lanes, 1 << ((n - 1).bit_length() - 1))


def sweep(
    kind: str,
    ns: list[int],
    *,
    target: str = "golden",
    delta: float | list[float] = 0.10,
    sigma: float | list[float] = 0.22,
    trials: int = 200,
    seed: int = 1,
    progress=None,
    pool: Pool | None = None,
    block: int | None = None,
    **config,
) -> SweepResult:
    """Run ``trials`` trials at every (delta, sigma, n) on ``target`` (see the module
    docstring); ``delta`` and ``sigma`` are values or grids.

    The work is one task per point and block of ``block`` trials (default: whole points, or
    blocks small enough that every slot of ``pool`` gets work), run by ``pool`` (this process
    by default; :mod:`gaba.sim.pool`). The blocks of a point are joined in trial order, and
    each trial depends on (seed, trial index) only, so the rows are those of a serial run; on
    a hardware target that is also checked: the golden rows are recomputed here in one run
    per point and must equal the merged ones (``SweepResult.serial_identical``).
    """
    if target not in TARGETS:
        raise ValueError(f"Target must be one of {', '.join(TARGETS)}, not {target!r}")
    if not ns:
        raise ValueError("The n grid must name at least one n")
    trials = check_count("Trial count", trials, 1)
    if block is not None:
        block = check_count("Block size", block, 1)
    deltas, sigmas = _grid("delta", delta), _grid("sigma", sigma)
    lanes = config.pop("lanes", None)
    if lanes is not None:
        Config.paper(n=max(ns), lanes=lanes)  # a clear error for a bad K before any work
        config_of = {n: dict(config, lanes=lanes_for(n, lanes)) for n in ns}
    else:
        config_of = {n: config for n in ns}
    pool = pool or Pool()
    started = time.monotonic()
    result = SweepResult(kind, target, deltas, sigmas, seed, [], where=pool.where)
    if target != "golden":
        result.golden_rows, result.identical = [], True
        pool.require(target)
    points = [(s, n, d) for s in sigmas for n in ns for d in deltas]
    grid = len(points) != len(ns)
    if block is None:
        per_point = -(-2 * pool.slots // len(points)) if pool.slots > 1 else 1
        block = -(-trials // min(trials, per_point))
    spans = blocks(trials, block)
    tasks, where, configs = [], [], []
    for i, (s, n, d) in enumerate(points):
        cfg = Config.paper(kind=kind, n=n, delta=d, sigma=s, **config_of[n])
        configs.append(cfg)
        # one build per (sigma, n): the gap is the engine's host input
        built = Config.paper(kind=kind, n=n, delta=deltas[0], sigma=s, **config_of[n])
        name = f"n = {n}" + (f", delta {d:g}, sigma {s:g}" if grid else "")
        for b, (first, count) in enumerate(spans):
            span = f" (trials {first}..{first + count - 1})" if len(spans) > 1 else ""
            tasks.append(
                Task(
                    point_block,
                    (kind, target, cfg, built, first, count, seed),
                    f"{name}{span}",
                    count,
                )
            )
            where.append((b, i))
    # a distributed run starts every point's first block first, the largest n first: the
    # builds spread over the workers and the longest tasks do not come last
    order = (
        sorted(range(len(tasks)), key=lambda t: (where[t][0], -points[where[t][1]][1]))
        if pool.distributed
        else None
    )
    if order is not None:
        tasks, where = [tasks[t] for t in order], [where[t] for t in order]
    if progress:
        progress(
            f"{len(tasks)} task{'s' * (len(tasks) != 1)} ({len(points)} points x "
            f"{len(spans)} block{'s' * (len(spans) != 1)} of up to {block} trials) on "
            f"{pool.where}"
        )
    values = pool.run(tasks, say=progress)
    by_point: list[list] = [[None] * len(spans) for _ in points]
    for (b, i), value in zip(where, values, strict=True):
        by_point[i][b] = value
    result.tasks = len(tasks)
    for (s, n, d), cfg, parts in zip(points, configs, by_point, strict=True):
        errors = [p.error for p in parts if p.error]
        if errors:  # keep the rows so far; say where and why it stopped
            result.notes.append(f"stopped at n = {n}, delta {d:g}, sigma {s:g}: {errors[0]}")
            break
        build = sum(p.build_seconds for p in parts)
        run = sum(p.run_seconds for p in parts)
        result.build_seconds += build
        result.run_seconds += run
        result.costs.append(
            {"n": n, "delta": d, "sigma": s, "tasks": len(parts)}
            | {"build_seconds": round(build, 2), "run_seconds": round(run, 2)}
        )
        golden = results.join([p.golden for p in parts])
        if target == "golden":
            result.rows.append(Row.of(n, golden, d, s))
            continue
        result.rows.append(Row.of(n, results.join([p.hardware for p in parts]), d, s))
        result.golden_rows.append(Row.of(n, golden, d, s))  # held to these
        result.mismatches += sum(p.mismatches for p in parts)
        bad = next((p for p in parts if p.first_mismatch), None)
        if bad is not None:
            result.identical = False
            result.notes.append(f"n = {n}, delta {d:g}: {bad.first_mismatch}")
        if len(parts) > 1 or pool.distributed:
            serial = Row.of(n, fixed.run_trials(cfg, trials, seed), d, s)
            same = serial == result.golden_rows[-1]
            result.serial_identical = same and result.serial_identical is not False
            if not same:
                result.notes.append(f"n = {n}, delta {d:g}: merged rows differ from a serial run")
    result.wall_seconds = time.monotonic() - started
    return result


@dataclass
class Block:
    """One task's share of a sweep point: its trials on the golden model and, on a hardware
    target, on the simulated hardware held to them trial by trial."""

    golden: TrialResults | None = None
    hardware: TrialResults | None = None
    mismatches: int = 0
    first_mismatch: str | None = None  # the block's first mismatch, described
    build_seconds: float = 0.0
    run_seconds: float = 0.0
    error: str | None = None  # a build or simulation that failed (the sweep stops there)


def point_block(
    kind: str,
    target: str,
    cfg: Config,
    built: Config,
    first: int,
    count: int,
    seed: int,
    *,
    progress=None,
) -> tuple[Block, Done]:
    """Trials ``first .. first + count - 1`` of one sweep point (a :class:`gaba.sim.pool.Task`):
    on the golden model of ``cfg``, or on ``target``'s build of ``built`` (``cfg`` with the
    first gap of the sweep's delta grid; ``cfg``'s gap reaches it as the engine's host input)
    against the golden model of ``cfg``."""
    start = time.monotonic()
    done = Done()
    if target == "golden":
        res = fixed.run_trials(cfg, count, seed, first_trial=first)
        return Block(golden=res, run_seconds=time.monotonic() - start), done
    design = designs.get(kind)
    done.built = not runner.is_built(design, built, target, debug=True)
    try:
        report = design.compare(
            built,
            target,
            "trials",
            trials=count,
            seed=seed,
            first=first,
            delta_q=None if cfg.delta_q == built.delta_q else cfg.delta_q,
            locate=False,
            progress=progress,
        )
    except ToolchainError as e:
        return Block(error=str(e)), done
    first_mismatch = None if report.bit_exact else report.first_mismatch.describe()
    return Block(
        golden=report.outputs["golden"],
        hardware=report.outputs["hardware"],
        mismatches=report.mismatches,
        first_mismatch=first_mismatch,
        build_seconds=report.build_seconds,
        run_seconds=time.monotonic() - start - report.build_seconds,
    ), done


def write_outputs(result: SweepResult, out: Path) -> list[Path]:
    """CSV of the rows and PNG plots (gaba.sim.plots): decision time against log2 n with the
    fit, accuracy and fraction decided against n (one series per (delta, sigma)); for grids
    over delta or sigma also decision time and accuracy against them (one series per n)."""
    out.mkdir(parents=True, exist_ok=True)
    stem = (
        f"sweep-{result.kind}-{result.target}-d{'_'.join(f'{d:g}' for d in result.deltas)}"
        f"-s{'_'.join(f'{s:g}' for s in result.sigmas)}"
    )
    csv_path = out / f"{stem}.csv"
    with csv_path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(asdict(result.rows[0])))
        w.writeheader()
        for r in result.rows:
            w.writerow(asdict(r))
    groups = [(d, s, rows, fit_per_doubling(rows)) for d, s, rows in result.groups() if rows]
    files = [csv_path, plots.sweep_against_n(out / f"{stem}.png", groups, result.target)]
    for axis, other in (("delta", "sigma"), ("sigma", "delta")):
        if len(getattr(result, f"{axis}s")) > 1:
            files.append(plots.sweep_against(out / f"{stem}-{axis}.png", result.rows, axis, other))
    return files
