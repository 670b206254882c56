"""``gaba sweep``: decision time, accuracy and fraction decided against n (and against delta
and sigma when they are grids), on the golden model or the hardware, with CSV and PNG."""

from __future__ import annotations

import json

from gaba.cli.common import (
    add_output,
    add_pool,
    add_seed,
    checked,
    fmt,
    n_grid,
    network_args,
    output_folder,
    pool,
    positive_int,
    simulator_errors,
    stage,
)

__all__ = ["register"]


def register(sub) -> None:
    w = sub.add_parser("sweep", help="decision time, accuracy and decided fraction against n")
    network_args(w, with_n=False, delta=0.10, grids=True)
    w.add_argument("--target", choices=["golden", "verilator", "icarus"], default="golden")
    w.add_argument(
        "--n",
        type=n_grid,
        default=[2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
        help="comma-separated n grid (default 2,4,...,1024)",
    )
    w.add_argument("--trials", type=positive_int, default=200, help="trials per n (200)")
    w.add_argument(
        "--lanes",
        type=positive_int,
        default=None,
        help="hardware targets: folded networks of K lanes (a power of two; fewer below n = 2K)"
        " instead of the parallel network",
    )
    add_seed(w)
    add_pool(w, block="trials")
    w.add_argument("--out", default="build/sweep", help="folder for CSV and PNG (build/sweep)")
    add_output(w)
    w.set_defaults(func=_sweep)


def _listing(values):
    return ",".join(f"{v:g}" for v in values)


def _sweep(args):
    from gaba.sim.sweep import sweep, write_outputs

    out = output_folder(args)
    with pool(args) as where, simulator_errors():
        result = checked(
            "sweep",
            lambda: sweep(
                args.kind,
                args.n,
                target=args.target,
                delta=args.delta,
                sigma=args.sigma,
                trials=args.trials,
                seed=args.seed,
                progress=stage(args.quiet),
                theta=args.theta,
                dt=args.dt,
                latency=args.latency,
                horizon=args.horizon,
                frac_bits=args.frac_bits,
                x_guard_bits=args.x_guard_bits,
                lanes=args.lanes,
                **({} if args.step_clocks is None else {"step_clocks": args.step_clocks}),
                pool=where,
                block=args.block,
            ),
        )
    files = write_outputs(result, out)
    status = 0 if result.identical is not False and result.serial_identical is not False else 1
    if args.json:
        print(json.dumps(result.to_json() | {"files": [str(f) for f in files]}))
        return status
    grid = len(args.delta) * len(args.sigma) > 1
    print(
        f"{args.kind} sweep on {args.target}: delta {_listing(args.delta)}, sigma "
        f"{_listing(args.sigma)}, {args.trials} trials per point, seed {args.seed}"
    )
    extra = f"{'delta':>8}{'sigma':>8}" if grid else ""
    print(
        f"  {'n':>6}{extra}{'cycles':>10}{'time (tau)':>16}{'accuracy [95% CI]':>26}{'decided':>9}"
    )
    for r in result.rows:
        ci = "" if r.accuracy_low is None else f" [{r.accuracy_low:.3f}, {r.accuracy_high:.3f}]"
        extra = f"{r.delta:>8g}{r.sigma:>8g}" if grid else ""
        print(
            f"  {r.n:>6}{extra}{fmt(r.mean_decision_cycles, None, 1):>10}"
            f"{fmt(r.mean_decision_time, r.decision_time_se, 2):>16}"
            f"{fmt(r.accuracy) + ci:>26}{100 * r.decided_fraction:>8.1f}%"
        )
    for f in result.fits if grid and len(args.n) > 1 else []:
        if f["slope_per_doubling"] is not None:
            print(
                f"  fit at delta {f['delta']:g}, sigma {f['sigma']:g}: time = "
                f"{f['intercept']:.2f} + {f['slope_per_doubling']:.2f} log2 N tau"
            )
    fit = result.fit
    if fit["slope_per_doubling"] is not None:
        print(f"  fit: time = {fit['intercept']:.2f} + {fit['slope_per_doubling']:.2f} log2 N tau")
    if result.identical is not None:
        verdict = (
            "identical to the golden model's (every trial bit-exact)"
            if result.identical
            else f"DIFFERENT from the golden model's ({result.mismatches} mismatching values)"
        )
        print(
            f"  hardware rows {verdict}; build {result.build_seconds:.1f} s, "
            f"run {result.run_seconds:.1f} s"
        )
    if result.tasks > 1 or result.where != "this process":
        merged = {
            True: "; the golden rows recomputed serially here are identical",
            False: "; the golden rows DIFFER from a serial run's",
            None: "",
        }[result.serial_identical]
        print(
            f"  {result.tasks} tasks on {result.where}, merged in trial order{merged}; "
            f"wall time {result.wall_seconds:.1f} s"
        )
    for note in result.notes:
        print(f"  {note}")
    print(f"  wrote {', '.join(str(f) for f in files)}")
    return status
