"""``gaba compare DESIGN``: the generated hardware on a simulator against the golden model.

Any design of the registry: its scoreboard holds every result (and in lockstep the whole
state after every step) to its golden model; the summary is the report's.
"""

from __future__ import annotations

import json

from gaba.cli.common import (
    add_output,
    add_seed,
    checked,
    design_args,
    design_config,
    positive_int,
    simulator_errors,
    stage,
)

__all__ = ["register"]


def register(sub) -> None:
    from gaba.sim import designs

    c = sub.add_parser("compare", help="simulate the hardware and compare with the golden model")
    design_args(c, designs.names(simulated=True))
    c.add_argument("--simulator", choices=["verilator", "icarus"], default="verilator")
    modes = sorted({m for name in designs.names(simulated=True) for m in designs.get(name).modes})
    c.add_argument(
        "--mode",
        choices=modes,
        default=None,
        help="lockstep: the whole state after every step (foldiak: every presentation); "
        "trials: results only (the design's whole-run mode: foldiak's run, its final state "
        "and test patterns); default trials",
    )
    c.add_argument(
        "--trials",
        type=positive_int,
        default=None,
        help="trials (default 200 in trials mode, 1 in lockstep; foldiak: presentations, the "
        "pre-run included)",
    )
    add_seed(c)
    c.add_argument("--waves", action="store_true", help="dump a waveform of the run")
    add_output(c)
    c.set_defaults(func=_compare)


def _compare(args):
    design, cfg = design_config("compare", args)
    # "trials" names every design's whole-run mode (its first)
    mode = design.modes[0] if args.mode in (None, "trials") else args.mode
    with simulator_errors():
        report = checked(
            "compare",
            lambda: design.run(
                cfg,
                args.simulator,
                mode,
                count=args.trials,
                seed=args.seed,
                waves=args.waves,
                progress=stage(args.quiet),
            ),
        )
    j = report.to_json()
    if args.json:
        print(json.dumps(j))
        return 0 if report.bit_exact else 1
    verdict = "bit-exact" if report.bit_exact else "MISMATCH"
    print(
        f"{design.name} {design.describe(cfg)} on {args.simulator}, {mode} mode, seed "
        f"{args.seed}: {verdict}"
    )
    lines = [
        ("compared", f"{report.compared} {report.unit}, {report.mismatches} mismatching values"),
        (
            "simulation",
            f"{report.cycles} cycles in {report.seconds:.2f} s ({report.cycles_per_second:.0f} "
            f"cycles/s); build {report.build_seconds:.1f} s",
        ),
        *design.summary_lines(report),
    ]
    if report.first_mismatch is not None:
        lines.append(("first mismatch", report.first_mismatch.describe()))
    if report.waveform:
        lines.append(("waveform", report.waveform))
    for label, text in lines:
        print(f"  {label:<15} {text}")
    return 0 if report.bit_exact else 1
