"""Decision time against the number of options: sweeps on the golden model or the hardware.

A sweep runs K trials at each n of a grid, from one Config per n (the paper point with the
given delta and sigma; the parameters never change with n, which is the point of nWTA). On a
hardware target every trial also runs on the golden model from the same Config and seeds, and
the rows of both must be identical (the sweep is then an equivalence check over all its
trials as well). Each row: mean decision cycles and time (units of tau) over decided trials,
accuracy over decided trials with a 95 % Wilson interval, and the fraction decided.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gaba.golden import fixed
from gaba.golden.config import Config
from gaba.sim.runner import ToolchainError

__all__ = ["Row", "SweepResult", "fit_per_doubling", "sweep", "write_outputs"]

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

    @classmethod
    def of(cls, n: int, res) -> Row:
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
        )


def fit_per_doubling(rows: list[Row]) -> dict:
    """Least-squares fit of mean decision time against log2 n (rows where trials decided)."""
    pts = [(math.log2(r.n), r.mean_decision_time) for r in rows if r.mean_decision_time]
    if len(pts) < 2:
        return {"slope_per_doubling": None, "intercept": None}
    x, y = np.array(pts).T
    slope, intercept = np.polyfit(x, y, 1)
    return {"slope_per_doubling": float(slope), "intercept": float(intercept)}


@dataclass
class SweepResult:
    kind: str
    target: str
    delta: float
    sigma: float
    seed: int
    rows: list[Row]
    golden_rows: list[Row] | None = None  # hardware targets: the golden model's rows
    identical: bool | None = None  # hardware targets: every trial bit-exact
    mismatches: int = 0
    build_seconds: float = 0.0
    run_seconds: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def fit(self) -> dict:
        return fit_per_doubling(self.rows)

    def to_json(self) -> dict:
        keys = ("n", "mean_decision_cycles", "mean_decision_time", "accuracy", "decided_fraction")
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
            "identical_to_golden": self.identical,
            "notes": self.notes,
            "mismatches": self.mismatches,
            "build_seconds": round(self.build_seconds, 2),
            "run_seconds": round(self.run_seconds, 2),
        }


def sweep(
    kind: str,
    ns: list[int],
    *,
    target: str = "golden",
    delta: float = 0.10,
    sigma: float = 0.22,
    trials: int = 200,
    seed: int = 1,
    progress=None,
    **config,
) -> SweepResult:
    """Run ``trials`` trials at every n in ``ns`` on ``target`` (see the module docstring)."""
    if target not in TARGETS:
        raise ValueError(f"Target must be one of {', '.join(TARGETS)}, not {target!r}")
    if not ns:
        raise ValueError("The n grid must name at least one n")
    result = SweepResult(kind, target, delta, sigma, seed, [])
    if target != "golden":
        result.golden_rows, result.identical = [], True
    for i, n in enumerate(ns):
        cfg = Config.paper(kind=kind, n=n, delta=delta, sigma=sigma, **config)
        if progress:
            progress(f"n = {n} ({i + 1}/{len(ns)}) on {target}")
        start = time.monotonic()
        if target == "golden":
            result.rows.append(Row.of(n, fixed.run_trials(cfg, trials, seed)))
            result.run_seconds += time.monotonic() - start
            continue
        from gaba.sim.compare import compare

        try:
            report = compare(
                cfg, target, "trials", trials=trials, seed=seed, locate=False, progress=progress
            )
        except ToolchainError as e:  # keep the rows so far; say where and why it stopped
            result.notes.append(f"stopped at n = {n}: {e}")
            break
        result.build_seconds += report.build_seconds
        result.run_seconds += time.monotonic() - start - report.build_seconds
        result.rows.append(Row.of(n, report.hardware_trials(cfg.params.dt)))
        result.golden_rows.append(Row.of(n, report.golden))  # the trials it was compared with
        result.mismatches += report.mismatches
        if not report.bit_exact:
            result.identical = False
            result.notes.append(f"n = {n}: {report.first_mismatch.describe()}")
    return result


def write_outputs(result: SweepResult, out: Path) -> list[Path]:
    """CSV of the rows and PNG plots (time vs log2 n with the fit, accuracy, decided)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    stem = f"sweep-{result.kind}-{result.target}-d{result.delta:g}-s{result.sigma:g}"
    csv_path = out / f"{stem}.csv"
    with csv_path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(asdict(result.rows[0])))
        w.writeheader()
        for r in result.rows:
            w.writerow(asdict(r))
    ns = np.array([r.n for r in result.rows])
    label = f"{result.kind}, delta {result.delta:g}, sigma {result.sigma:g} ({result.target})"
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    t = np.array(
        [np.nan if r.mean_decision_time is None else r.mean_decision_time for r in result.rows]
    )
    se = np.array(
        [np.nan if r.decision_time_se is None else r.decision_time_se for r in result.rows]
    )
    axes[0].errorbar(np.log2(ns), t, yerr=se, fmt="o", label=label)
    fit = result.fit
    if fit["slope_per_doubling"] is not None:
        xs = np.linspace(np.log2(ns.min()), np.log2(ns.max()), 50)
        axes[0].plot(
            xs,
            fit["intercept"] + fit["slope_per_doubling"] * xs,
            "-",
            label=f"fit: {fit['slope_per_doubling']:.2f} tau per doubling",
        )
    axes[0].set(
        xlabel="log2 N", ylabel="mean decision time (tau)", title="decision time against log N"
    )
    acc = np.array([np.nan if r.accuracy is None else r.accuracy for r in result.rows])
    low = np.array([np.nan if r.accuracy_low is None else r.accuracy_low for r in result.rows])
    high = np.array([np.nan if r.accuracy_high is None else r.accuracy_high for r in result.rows])
    axes[1].errorbar(ns, acc, yerr=[acc - low, high - acc], fmt="o")
    axes[1].set(
        xscale="log",
        xlabel="N",
        ylabel="accuracy (decided trials, 95 % CI)",
        title="accuracy",
        ylim=(0, 1.05),
    )
    axes[2].plot(ns, [r.decided_fraction for r in result.rows], "o-")
    axes[2].set(
        xscale="log", xlabel="N", ylabel="fraction decided", title="decided", ylim=(-0.05, 1.05)
    )
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    png_path = out / f"{stem}.png"
    fig.savefig(png_path, dpi=110)
    plt.close(fig)
    return [csv_path, png_path]
