"""``gaba htm``: the HTM spatial pooler on scikit-learn's digits.

    gaba htm digits [--model float|fixed] [--epochs E] [--columns C] [--foldiak UNITS]
                    [--seed X] [--out DIR] [--json] [--quiet]

A thin shell over :mod:`gaba.golden.htm.digits`: it trains the pooler on the training images,
reads its codes and the raw pixels out with a linear classifier, and writes the receptive
fields and the duty cycles (PNG) and a JSON summary under ``--out``.
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
    write_json,
)

__all__ = ["register"]


def register(sub) -> None:
    """Add ``htm digits`` to the ``gaba`` subcommands ``sub``."""
    top = sub.add_parser("htm", help="the HTM spatial pooler: a sparse code of the digits")
    demos = top.add_subparsers(dest="demo", metavar="DEMO", parser_class=Parser)
    demos.required = True
    d = demos.add_parser("digits", help="learn the digits; readout of codes against pixels")
    d.add_argument(
        "--model",
        choices=["float", "fixed"],
        default="fixed",
        help="float reference or fixed-point golden model (default fixed)",
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

    out = output_folder(args)
    progress = Progress(f"htm digits ({args.model})", enabled=not args.quiet, unit="epochs")
    outcome = checked(
        "htm digits",
        lambda: digits.run(
            args.model,
            args.epochs,
            args.seed,
            params=digits.DIGITS_PARAMS.replace(columns=args.columns),
            progress=progress,
        ),
    )
    summary = outcome.summary()
    if args.foldiak:
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
    return 0


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
            f"  duty cycles        boosting: max {b['max']:.3f}, {b['never_active']} never "
            f"active; without: max {u['max']:.3f}, {u['never_active']} never active",
            *(_foldiak_line(o["foldiak"]) if "foldiak" in o else []),
            f"  wrote {', '.join(o['files'])}",
        ]
    )


def _foldiak_line(f) -> list[str]:
    return [
        f"  Földiák's layer    codes {f['code_accuracy']:.3f} ({f['units']} units, "
        f"{f['active_per_code']:.1f} active, {f['units_used']} used; overlap "
        f"{f['within_class_overlap']:.3f} within, {f['between_class_overlap']:.3f} between)"
    ]
