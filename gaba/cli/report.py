"""``gaba report``: the results report (gaba.sim.report), its tables and plots under docs/."""

from __future__ import annotations

from gaba.cli.common import (
    add_pool,
    add_seed,
    output_folder,
    pool,
    positive_int,
    simulator_errors,
    stage,
)

__all__ = ["register"]


def register(sub) -> None:
    r = sub.add_parser("report", help="the results report: tables and plots under docs/")
    r.add_argument("--out", default="docs/results", help="folder (default docs/results)")
    r.add_argument("--trials", type=positive_int, default=400, help="trials per point (400)")
    add_seed(r)
    r.add_argument(
        "--hardware",
        choices=["none", "verilator", "icarus"],
        default="none",
        help="also sweep the generated hardware (slow the first time: builds)",
    )
    add_pool(r)
    r.add_argument("--quiet", action="store_true", help="no progress on stderr")
    r.set_defaults(func=_report)


def _report(args):
    from gaba.sim.report import build_report

    out = output_folder(args)
    with pool(args) as where, simulator_errors():
        path = build_report(
            out,
            trials=args.trials,
            seed=args.seed,
            hardware=None if args.hardware == "none" else args.hardware,
            progress=stage(args.quiet),
            pool=where,
        )
    print(f"wrote {path}")
    return 0
