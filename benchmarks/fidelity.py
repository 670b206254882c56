"""Benchmark: does the fixed-point golden model reproduce the float model within statistical error?

    python benchmarks/fidelity.py [--trials 2000] [--seed 1] [--points LABEL,...]
                                  [--set NAME=VALUE ...] [--json PATH] [--quiet] [--list]

For each point (kind, n, delta, sigma; the paper point otherwise) the fixed-point golden model
(``gaba.golden.fixed.run_trials`` on a ``Config``) and the float reference
(``gaba.golden.reference.simulate_float`` on the same Config's ``NetworkParams``) each run
``--trials`` independent trials. The fixed model runs trials 0..K-1 of seed S; the float model
runs in chunks of at most 2**19 // n trials (its state is trials x n float arrays), chunk k with
seed S + 1 + k. The two models draw from different generators, so their samples are
independent and their difference has the combined standard error.

Per point the table gives mean decision time (units of tau, over decided trials) ± standard
error for each model, z = (m_fixed - m_float) / sqrt(se_fixed^2 + se_float^2), the relative
difference of the times, accuracy (correct among decided trials, as ``TrialResults.accuracy``)
± binomial standard error for each model and its z, the fraction decided of each model and its
z, and the wall time of both runs. The last line counts the points within |z| <= 2 for both time
and accuracy. A z is 0 when both sides are equal with zero error (accuracy 1 against 1) and
"inf" when they differ with zero error; undefined (n/a) when a side decided no trial.

``--set NAME=VALUE`` (repeatable) changes any Config field (``frac_bits``, ``coef_bits``, ...)
or any NetworkParams field (``theta``, ``horizon``, ...) at every point, on top of the point's
own kind, n, delta and sigma, so that number formats can be compared::

    python benchmarks/fidelity.py --points wta-16,nwta-1024 --set frac_bits=14

``--points`` takes comma-separated labels or shell patterns (``wta-*``); ``--list`` prints the
labels. n = 4096 takes the longest (tens of minutes of the float model on two cores); progress
and each point's wall time go to stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import math
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from gaba.cli.common import Progress, fmt, positive_int, seed, write_json
from gaba.golden import fixed, reference
from gaba.golden.config import Config
from gaba.golden.params import NetworkParams
from gaba.golden.results import TrialResults

#: Elements (trials x n) of one chunk of the float model: 4 MiB per state array.
FLOAT_CHUNK_ELEMENTS = 2**19
#: |z| at or below which a difference counts as within statistical error.
Z_LIMIT = 2.0


@dataclass(frozen=True)
class Point:
    """One network of the comparison; the other parameters are the paper point's."""

    label: str
    kind: str
    n: int
    delta: float = 0.1
    sigma: float = 0.22


POINTS = (
    *(Point(f"nwta-{n}", "nwta", n) for n in (2, 16, 128, 1024, 4096)),
    *(Point(f"wta-{n}", "wta", n) for n in (4, 8, 16, 20)),
    Point("nwta-10-delta0.05", "nwta", 10, delta=0.05),
    Point("nwta-10-delta0.2", "nwta", 10, delta=0.2),
    Point("nwta-10-sigma0.1", "nwta", 10, sigma=0.1),
    Point("nwta-10-sigma0.33", "nwta", 10, sigma=0.33),
)


def select_points(text: str | None) -> list[Point]:
    """The points named by comma-separated labels or shell patterns (all when ``text`` is
    None), in the order of :data:`POINTS`."""
    if text is None:
        return list(POINTS)
    patterns = [p.strip() for p in text.split(",") if p.strip()]
    labels = [p.label for p in POINTS]
    for pattern in patterns:
        if not fnmatch.filter(labels, pattern):
            raise ValueError(f"no point matches {pattern!r}; points: {', '.join(labels)}")
    return [p for p in POINTS if any(fnmatch.fnmatchcase(p.label, q) for q in patterns)]


def _field_defaults() -> dict:
    """Every field --set may change, with its default (its type converts the text)."""
    defaults = {f.name: f.default for f in dataclasses.fields(NetworkParams)}
    defaults |= {f.name: f.default for f in dataclasses.fields(Config) if f.name != "params"}
    return defaults


def parse_set(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` as (name, value), the value converted to the field's type."""
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    defaults = _field_defaults()
    if not sep or name not in defaults:
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE with NAME one of {', '.join(defaults)}, not {text!r}"
        )
    kind = type(defaults[name])
    try:
        return name, (int(value, 0) if kind is int else kind(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} takes a {kind.__name__}, not {value!r}") from None


def point_config(point: Point, changes: dict) -> Config:
    """The Config of ``point`` at the paper point, with ``changes`` applied on top."""
    return Config.paper(kind=point.kind, n=point.n, delta=point.delta, sigma=point.sigma).replace(
        **changes
    )


def format_fields(cfg: Config) -> dict:
    """The Config's number-format fields (every field but the float parameters)."""
    return {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg) if f.name != "params"}


def z_score(a, se_a, b, se_b) -> float | None:
    """(a - b) / sqrt(se_a^2 + se_b^2); 0 for equal values with zero error, inf for different
    ones; None when a value or error is undefined."""
    if None in (a, se_a, b, se_b):
        return None
    se = math.hypot(se_a, se_b)
    if se == 0:
        return 0.0 if a == b else math.copysign(math.inf, a - b)
    return (a - b) / se


def decided_se(res: TrialResults) -> float:
    """Binomial standard error of the fraction decided, over all trials."""
    p = res.decided_fraction
    return math.sqrt(p * (1.0 - p) / res.trials)


def float_seeds(n: int, trials: int, seed: int) -> list[tuple[int, int]]:
    """(trials, seed) of each chunk of the float model's run."""
    chunk = max(1, min(trials, FLOAT_CHUNK_ELEMENTS // n))
    return [
        (min(chunk, trials - lo), (seed + 1 + k) % 2**32)
        for k, lo in enumerate(range(0, trials, chunk))
    ]


def run_float(params: NetworkParams, trials: int, seed: int, progress=None) -> TrialResults:
    """``trials`` trials of the float model in the chunks of :func:`float_seeds`, as one
    TrialResults."""
    parts, done = [], 0
    for k, s in float_seeds(params.n, trials, seed):
        report = None if progress is None else (lambda d, _t, base=done: progress(base + d, trials))
        parts.append(reference.simulate_float(params, k, s, progress=report))
        done += k
    return TrialResults(
        **{
            name: np.concatenate([getattr(r, name) for r in parts])
            for name in ("winner", "top", "steps", "decided")
        },
        dt=params.dt,
    )


def _side(res: TrialResults, seconds: float) -> dict:
    return {**res.summary(), "decided_se": decided_se(res), "seconds": round(seconds, 2)}


def _progress(label: str, quiet: bool):
    """Progress on stderr for a run that has taken 5 s or more (quick runs stay silent)."""
    if quiet:
        return None
    report = Progress(label)
    return lambda done, total: (
        report(done, total) if time.monotonic() - report.start >= 5.0 else None
    )


def compare(cfg: Config, trials: int, seed: int, *, label: str = "", quiet: bool = True) -> dict:
    """Run both models at ``cfg`` and compare them: one row of the table, as plain data."""
    start = time.monotonic()
    res_f = fixed.run_trials(cfg, trials, seed, progress=_progress(f"{label} fixed", quiet))
    fixed_s = time.monotonic() - start
    start = time.monotonic()
    res_g = run_float(cfg.params, trials, seed, _progress(f"{label} float", quiet))
    float_s = time.monotonic() - start
    f, g = _side(res_f, fixed_s), _side(res_g, float_s)
    f["eta_saturated_trials"] = int(res_f.eta_sat.sum())
    f["r_saturated_trials"] = int(res_f.r_sat.sum())
    g["seeds"] = [s for _, s in float_seeds(cfg.n, trials, seed)]
    z_time = z_score(
        f["mean_decision_time"],
        f["mean_decision_time_se"],
        g["mean_decision_time"],
        g["mean_decision_time_se"],
    )
    z_acc = z_score(f["accuracy"], f["accuracy_se"], g["accuracy"], g["accuracy_se"])
    z_dec = z_score(f["decided_fraction"], f["decided_se"], g["decided_fraction"], g["decided_se"])
    ratio = (
        None
        if not (f["mean_decision_time"] and g["mean_decision_time"])
        else f["mean_decision_time"] / g["mean_decision_time"] - 1.0
    )
    return {
        "label": label,
        "kind": cfg.kind,
        "n": cfg.n,
        "delta": cfg.params.delta,
        "sigma": cfg.params.sigma,
        "trials": trials,
        "fixed": f,
        "float": g,
        "z_time": z_time,
        "time_difference": ratio,
        "z_accuracy": z_acc,
        "z_decided": z_dec,
        "within": _within(z_time) and _within(z_acc),
        "seconds": round(fixed_s + float_s, 2),
    }


def _within(z) -> bool:
    return z is not None and abs(z) <= Z_LIMIT


def _z(z) -> str:
    return "n/a" if z is None else f"{z:+.2f}"


COLUMNS = (
    ("point", "<"),
    ("kind", "<"),
    ("n", ">"),
    ("delta", ">"),
    ("sigma", ">"),
    ("trials", ">"),
    ("fixed time", ">"),
    ("float time", ">"),
    ("z time", ">"),
    ("diff", ">"),
    ("fixed accuracy", ">"),
    ("float accuracy", ">"),
    ("z acc", ">"),
    ("fixed dec", ">"),
    ("float dec", ">"),
    ("z dec", ">"),
    ("wall s", ">"),
)


def table_cells(row: dict) -> list[str]:
    """The cells of ``row`` in the order of :data:`COLUMNS`."""
    f, g = row["fixed"], row["float"]
    diff = row["time_difference"]
    return [
        row["label"],
        row["kind"],
        str(row["n"]),
        f"{row['delta']:g}",
        f"{row['sigma']:g}",
        str(row["trials"]),
        fmt(f["mean_decision_time"], f["mean_decision_time_se"], 2),
        fmt(g["mean_decision_time"], g["mean_decision_time_se"], 2),
        _z(row["z_time"]),
        "n/a" if diff is None else f"{100 * diff:+.1f} %",
        fmt(f["accuracy"], f["accuracy_se"], 4),
        fmt(g["accuracy"], g["accuracy_se"], 4),
        _z(row["z_accuracy"]),
        f"{f['decided_fraction']:.4f}",
        f"{g['decided_fraction']:.4f}",
        _z(row["z_decided"]),
        f"{row['seconds']:.1f}",
    ]


def format_table(rows: list[dict]) -> str:
    """The rows as an aligned table (pipes: it is Markdown as well) and the closing count."""
    cells = [[name for name, _ in COLUMNS]] + [table_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]

    def line(cs):
        aligned = (f"{c:{a}{w}}" for c, (_, a), w in zip(cs, COLUMNS, widths, strict=True))
        return "| " + " | ".join(aligned) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    lines = [line(cells[0]), rule, *map(line, cells[1:])]
    within = sum(r["within"] for r in rows)
    decided = sum(_within(r["z_decided"]) for r in rows)
    lines += [
        "",
        f"{within} of {len(rows)} points within |z| <= {Z_LIMIT:g} for both time and accuracy"
        f" (decided fraction: {decided} of {len(rows)}).",
    ]
    return "\n".join(lines) + "\n"


def _source() -> dict:
    """Where the models were imported from, and the commit of that checkout (if any)."""
    where = Path(fixed.__file__).resolve().parent
    out = {"golden": str(where)}
    try:
        git = ["git", "-C", str(where)]
        out["commit"] = subprocess.run(
            [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "."], capture_output=True, text=True, check=True
        ).stdout
        out["golden_modified"] = sorted(line[3:] for line in dirty.splitlines())
    except (OSError, subprocess.CalledProcessError):
        pass
    return out


def header(args, cfg: Config, changes: dict, source: dict) -> str:
    """What the table was measured at: formats, changes, trials, seeds, source."""
    formats = ", ".join(f"{k}={v}" for k, v in format_fields(cfg).items())
    p = cfg.params
    lines = [
        "Fixed-point golden model against the float reference",
        f"Config formats: {formats}",
        f"Changes (--set): {', '.join(f'{k}={v}' for k, v in changes.items()) or 'none'}",
        f"Paper point otherwise: alpha {p.alpha}, beta {p.beta}, theta {p.theta}, tau_eta "
        f"{p.tau_eta}, dt {p.dt:g}, stop {p.stop}, horizon {p.horizon}, latency {p.latency}",
        f"{args.trials} trials per model and point; fixed seed {args.seed}, float seeds "
        f"{args.seed + 1}, {args.seed + 2}, ... (one per chunk of at most "
        f"{FLOAT_CHUNK_ELEMENTS} // n trials); numba threads {numba.get_num_threads()}",
        "Times: mean over decided trials in tau ± SE; accuracy: correct among decided trials"
        " ± SE; z = (fixed - float) / combined SE; diff = fixed/float - 1 of the times",
        f"Source: {source.get('golden')} at {source.get('commit', 'unknown commit')}"
        + (
            f" (modified: {', '.join(source['golden_modified'])})"
            if source.get("golden_modified")
            else ""
        ),
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=positive_int, default=2000, help="per model (2000)")
    ap.add_argument("--seed", type=seed, default=1, help="fixed model's seed (1)")
    ap.add_argument("--points", default=None, help="labels or patterns, comma-separated")
    ap.add_argument(
        "--set",
        dest="changes",
        metavar="NAME=VALUE",
        type=parse_set,
        action="append",
        default=[],
        help="change a Config or NetworkParams field at every point (repeatable)",
    )
    ap.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write JSON")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("--list", action="store_true", help="print the point labels and exit")
    args = ap.parse_args(argv)
    if args.list:
        for p in POINTS:
            print(f"{p.label:<20} {p.kind:<5} n={p.n:<5} delta={p.delta:g} sigma={p.sigma:g}")
        return 0
    try:
        points = select_points(args.points)
    except ValueError as e:
        ap.error(str(e))
    changes = dict(args.changes)
    try:
        configs = [point_config(p, changes) for p in points]
    except ValueError as e:
        ap.error(str(e))
    source = _source()
    print(header(args, configs[0], changes, source), flush=True)

    started = time.monotonic()
    rows = []
    for point, cfg in zip(points, configs, strict=True):
        row = compare(cfg, args.trials, args.seed, label=point.label, quiet=args.quiet)
        rows.append(row)
        if not args.quiet:
            print(
                f"{point.label}: fixed {row['fixed']['seconds']:.1f} s, float "
                f"{row['float']['seconds']:.1f} s, z time {_z(row['z_time'])}, z accuracy "
                f"{_z(row['z_accuracy'])}",
                file=sys.stderr,
                flush=True,
            )
    seconds = time.monotonic() - started
    print(format_table(rows) + f"Wall time {seconds:.0f} s.")
    if args.json:
        write_json(
            args.json,
            {
                "formats": format_fields(configs[0]),
                "changes": changes,
                "trials": args.trials,
                "seed": args.seed,
                "z_limit": Z_LIMIT,
                "source": source,
                "points": [_finite(r) for r in rows],
                "within": sum(r["within"] for r in rows),
                "seconds": round(seconds, 1),
            },
        )
    return 0


def _finite(value):
    """``value`` with infinite floats as the strings "inf" / "-inf" (JSON has no infinity)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


if __name__ == "__main__":
    sys.exit(main())
