"""``gaba htm``: the HTM spatial pooler on scikit-learn's digits.

    gaba htm digits [--model float|fixed|verilator|icarus] [--epochs E] [--columns C]
                    [--foldiak UNITS] [--seed X] [--out DIR] [--json] [--quiet]

A thin shell over :mod:`gaba.golden.htm.digits`: it trains the pooler on the training images,
reads its codes and the raw pixels out with a linear classifier, and writes the receptive
fields and the duty cycles (PNG) and a JSON summary under ``--out``. With a simulator as the
model the pooler learns on the simulated hardware (design ``htm-digits``, its image ROM),
every step held to the fixed-point model, and the hardware's own codes are read out; the
plots are then the fixed-point model's, which the hardware matched step for step.
"""

from __future__ import annotations

import json

from gaba.cli.common import (
    Parser,
    Progress,
    add_output,
    add_seed,
    checked,
    output_folder,
    positive_int,
    simulator_errors,
    stage,
    write_json,
)

__all__ = ["register"]

SIMULATORS = ("verilator", "icarus")


def register(sub) -> None:
    """Add ``htm digits`` to the ``gaba`` subcommands ``sub``."""
    top = sub.add_parser("htm", help="the HTM spatial pooler: a sparse code of the digits")
    demos = top.add_subparsers(dest="demo", metavar="DEMO", parser_class=Parser)
    demos.required = True
    d = demos.add_parser("digits", help="learn the digits; readout of codes against pixels")
    d.add_argument(
        "--model",
        choices=["float", "fixed", *SIMULATORS],
        default="fixed",
        help="float reference, fixed-point golden model (default) or the hardware on a simulator",
    )
    d.add_argument("--epochs", type=positive_int, default=3, help="training passes (default 3)")
    d.add_argument("--columns", type=positive_int, default=1024, help="columns (default 1024)")
    d.add_argument(
        "--foldiak",
        type=positive_int,
        default=None,
        metavar="UNITS",
        help="also train Földiák's layer of UNITS units on the digits, for comparison",
    )
    add_seed(d)
    d.add_argument("--out", default="build/htm", help="folder for PNG and JSON (build/htm)")
    add_output(d)
    d.set_defaults(func=_digits)


def _digits(args):
    from gaba.golden.htm import digits
    from gaba.sim import plots
    from gaba.sim.designs.htm import HTM_DIGITS

    out = output_folder(args)
    hardware = args.model in SIMULATORS
    model = "fixed" if hardware else args.model
    cfg = checked("htm digits", lambda: HTM_DIGITS.config(n=args.columns))
    params = cfg.params
    codes, report = None, None
    if hardware:
        report, codes = _hardware(args, cfg)
    progress = Progress(f"htm digits ({model})", enabled=not args.quiet, unit="epochs")
    outcome = checked(
        "htm digits",
        lambda: digits.run(
            model, args.epochs, args.seed, params=params, progress=progress, hardware_codes=codes
        ),
    )
    summary = outcome.summary()
    if report is not None:
        summary["model"] = args.model
        summary["hardware"] = _hardware_summary(report)
    if args.foldiak and hardware:
        summary["foldiak"] = _foldiak_hardware(args)
    elif args.foldiak:
        summary["foldiak"] = checked(
            "htm digits", lambda: digits.foldiak_digits(args.epochs, args.seed, args.foldiak)
        )
    stem = out / f"digits-{args.model}"
    files = [
        plots.htm_fields(stem.with_name(f"{stem.name}-fields.png"), outcome),
        plots.htm_duty(stem.with_name(f"{stem.name}-duty.png"), outcome),
    ]
    files.append(write_json(stem.with_name(f"{stem.name}.json"), summary))
    summary["files"] = [str(f) for f in files]
    print(json.dumps(summary) if args.json else _text(summary))
    exact = [
        h["bit_exact"]
        for h in (summary.get("hardware"), summary.get("foldiak", {}).get("hardware"))
        if h
    ]
    return 0 if all(exact) else 1


def _hardware(args, cfg):
    """The pooler's training run and coding pass on the simulated hardware: (the report, the
    codes of every image, bool[1797, columns])."""
    import numpy as np

    from gaba.golden import digits as data
    from gaba.sim.designs.htm import HTM_DIGITS

    learning = args.epochs * data.TRAIN
    say = stage(args.quiet)
    with simulator_errors():
        report = HTM_DIGITS.compare(
            cfg,
            args.model,
            trials=learning + data.IMAGES,
            seed=args.seed,
            inputs={"learning": learning},
            progress=say,
        )
    rows = report.outputs["results"][learning:]
    codes = np.array([[(r["active"] >> c) & 1 for c in range(cfg.n)] for r in rows], bool)
    return report, codes


def _foldiak_hardware(args) -> dict:
    """Földiák's layer learning the digits on the simulated hardware (design
    ``foldiak-digits``), every value held to the golden model, its own codes read out."""
    import time

    from gaba.golden import digits as data
    from gaba.golden.htm import digits
    from gaba.sim.designs.foldiak import FOLDIAK_DIGITS

    start = time.monotonic()
    cfg = checked("htm digits", lambda: digits.foldiak_config(args.foldiak))
    with simulator_errors():
        report = FOLDIAK_DIGITS.compare(
            cfg,
            args.model,
            "run",
            presentations=cfg.pre_presentations + args.epochs * data.TRAIN,
            tests=data.IMAGES,
            seed=args.seed,
            progress=stage(args.quiet),
        )
    codes = report.outputs["test_ystar"] > cfg.half
    return {
        "model": args.model,
        "units": args.foldiak,
        "epochs": args.epochs,
        "seed": args.seed,
        **data.score(codes),
        "hardware": _hardware_summary(report),
        "seconds": time.monotonic() - start,
    }


def _hardware_summary(report) -> dict:
    j = report.to_json()
    compared = f"{report.unit}_compared"
    keep = ("bit_exact", compared, "mismatches", "first_mismatch", "sim_cycles")
    return {k: j[k] for k in keep} | {
        "sim_seconds": j["sim_seconds"],
        "build_seconds": j["build_seconds"],
        "design": report.design,
        "compared": f"{report.compared} {report.unit}",
    }


def _text(o) -> str:
    p = o["params"]
    b, u = o["duty_boosted"], o["duty_unboosted"]
    return "\n".join(
        [
            f"htm digits ({o['model']} model, {p['columns']} columns, {o['active_per_code']:.0f} "
            f"active, {o['epochs']} epochs, seed {o['seed']}, {o['seconds']:.1f} s)",
            f"  readout accuracy   codes {o['code_accuracy']:.3f}, raw pixels "
            f"{o['pixel_accuracy']:.3f} (450 held-out images)",
            f"  code overlap       {o['within_class_overlap']:.3f} within a class, "
            f"{o['between_class_overlap']:.3f} between classes (shared active columns)",
            f"  columns used       {o['columns_used']} of {p['columns']}",
            *(
                [
                    f"  stable codes       {o['code_stability']:.3f} of an image's active columns "
                    "kept through the last epoch"
                ]
                if o["code_stability"] is not None
                else []
            ),
            *(_hardware_line(o["hardware"]) if "hardware" in o else []),
            f"  duty cycles        boosting: max {b['max']:.3f}, {b['never_active']} never "
            f"active; without: max {u['max']:.3f}, {u['never_active']} never active",
            *(_foldiak_line(o["foldiak"]) if "foldiak" in o else []),
            f"  wrote {', '.join(o['files'])}",
        ]
    )


def _hardware_line(h) -> list[str]:
    verdict = "bit-exact" if h["bit_exact"] else f"{h['mismatches']} mismatches"
    return [
        f"  hardware           {h['design']}: {verdict} with the fixed-point model over "
        f"{h['compared']} ({h['sim_cycles']} clocks, {h['sim_seconds']:.1f} s)"
    ]


def _foldiak_line(f) -> list[str]:
    return [
        f"  Földiák's layer    codes {f['code_accuracy']:.3f} ({f['units']} units, "
        f"{f['active_per_code']:.1f} active, {f['units_used']} used; overlap "
        f"{f['within_class_overlap']:.3f} within, {f['between_class_overlap']:.3f} between)",
        *(_hardware_line(f["hardware"]) if "hardware" in f else []),
    ]
