"""``gaba foldiak``: Földiák's anti-Hebbian sparse-coding layer on the bars and the letters.

    gaba foldiak bars    [--model float|fixed|verilator|icarus] [--presentations P] [--runs R]
                         [--seed X] [--out DIR] [--json] [--quiet]
    gaba foldiak letters [--model float|fixed] [--presentations P] [--runs R] [--seed X]
                         [--out DIR] [--json] [--quiet]

A thin shell over :mod:`gaba.golden.foldiak.experiments` (and, on a simulator,
:func:`gaba.sim.designs.foldiak.Layer.bars`): it learns, scores, writes PNG plots
(:mod:`gaba.sim.plots`) and a JSON summary under ``--out``, and prints a summary (or the JSON
with ``--json``).
"""

from __future__ import annotations

import json
from pathlib import Path

from gaba.cli.common import (
    Parser,
    Progress,
    add_output,
    add_pool,
    add_seed,
    checked,
    output_folder,
    pool,
    positive_int,
    simulator_errors,
    stage,
    write_json,
)

__all__ = ["MODEL_CHOICES", "register"]

#: The models ``--model`` offers: the float reference, the fixed-point golden model, and (bars
#: only: the on-chip pattern source draws bars) the generated hardware on a simulator.
MODEL_CHOICES = ["float", "fixed"]
HARDWARE = ["verilator", "icarus"]


def register(sub) -> None:
    """Add ``foldiak bars`` and ``foldiak letters`` to the ``gaba`` subcommands ``sub``."""
    f = sub.add_parser("foldiak", help="Földiák's anti-Hebbian layer: bars and letters")
    demos = f.add_subparsers(dest="demo", metavar="DEMO", parser_class=Parser)
    demos.required = True
    b = demos.add_parser("bars", help="learn the bars problem; bars represented, code error")
    _options(b, runs=25, hardware=True)
    add_pool(b, block="runs")
    b.set_defaults(func=_bars)
    lt = demos.add_parser("letters", help="learn the alphabet; the letters' codes")
    _options(lt, runs=10)
    lt.set_defaults(func=_letters)


def _options(p, *, runs, hardware=False):
    p.add_argument(
        "--model",
        choices=MODEL_CHOICES + (HARDWARE if hardware else []),
        default="fixed",
        help="float reference or fixed-point golden model (default fixed)"
        + (
            "; verilator or icarus: the generated hardware, checked against the golden model"
            if hardware
            else ""
        ),
    )
    p.add_argument(
        "--presentations",
        type=positive_int,
        default=3000,
        help="training presentations after the threshold pre-run (default 3000)",
    )
    p.add_argument("--runs", type=positive_int, default=runs, help=f"independent runs ({runs})")
    add_seed(p)
    p.add_argument("--out", default="build/foldiak", help="folder for PNG and JSON (build/foldiak)")
    add_output(p)


def _progress(kind, args) -> Progress:
    """Progress on stderr counted in presentations."""
    return Progress(
        f"foldiak {kind} ({args.model}, {args.runs} runs)",
        enabled=not args.quiet,
        unit="presentations",
    )


def _write(stem: Path, outcome, summary: dict, **figures) -> None:
    """The figures (``stem-<name>.png``, each drawn by its gaba.sim.plots function), then the
    summary (``stem.json``); the files written listed in ``summary["files"]``."""
    files = [
        draw(stem.with_name(f"{stem.name}-{name}.png"), outcome) for name, draw in figures.items()
    ]
    files.append(write_json(stem.with_name(f"{stem.name}.json"), summary))
    summary["files"] = [str(f) for f in files]


def _learn(kind, args):
    from gaba.golden.foldiak import experiments as fe

    run = fe.run_bars if kind == "bars" else fe.run_letters
    progress = _progress(kind, args)
    return checked(
        f"foldiak {kind}",
        lambda: run(args.model, args.runs, args.presentations, args.seed, progress=progress),
    )


def _learn_on_hardware(args, where):
    """The bars on the simulated hardware, a run per task of ``where`` (a Pool): (outcome,
    the comparison's summary)."""
    from gaba.sim.designs.foldiak import FOLDIAK

    with simulator_errors():
        outcome, hardware = FOLDIAK.bars(
            FOLDIAK.config(),
            args.runs,
            args.presentations,
            args.seed,
            simulator=args.model,
            progress=_progress("bars", args),
            say=stage(args.quiet),
            pool=where,
        )
    return outcome, hardware


def _learn_spread(args, where):
    """The bars on the float or fixed-point model, in blocks of runs over ``where``."""
    from gaba.sim.designs.foldiak import learn_bars

    return checked(
        "foldiak bars",
        lambda: learn_bars(
            args.model,
            args.runs,
            args.presentations,
            args.seed,
            pool=where,
            say=stage(args.quiet),
            block=args.block,
        ),
    )


# gaba foldiak bars ---------------------------------------------------------------------------


def _bars(args):
    from gaba.sim import plots

    out = output_folder(args)
    with pool(args) as where:
        if args.model in HARDWARE:
            outcome, hardware = _learn_on_hardware(args, where)
        elif where.distributed or args.block:
            outcome, hardware = _learn_spread(args, where), None
        else:
            outcome, hardware = _learn("bars", args), None
    summary = outcome.summary()
    if hardware is not None:
        summary["hardware"] = hardware
    figures = {"fields": plots.bars_fields, "curve": plots.bars_curve}
    _write(out / f"bars-{args.model}", outcome, summary, **figures)
    if args.json:
        print(json.dumps(summary))
    else:
        print(_bars_text(summary))
        if hardware is not None:
            print(_hardware_text(hardware))
    return 0 if hardware is None or hardware["bit_exact"] else 1


def _hardware_text(h):
    verdict = (
        "BIT-EXACT against the golden model"
        if h["bit_exact"]
        else f"MISMATCH ({h['mismatches']} values; first: {h['first_mismatch']})"
    )
    rate = h["sim_cycles"] / h["sim_seconds"] / h["clocks_per_presentation"]
    return (
        f"  hardware         {verdict}: {h['values_compared']} values (snapshots every 100 "
        f"presentations, final state, every y*, test patterns)\n"
        f"  simulation       {h['clocks_per_presentation']} clocks per presentation, about "
        f"{rate:.0f} presentations/s simulated (all clocks / clocks per presentation); "
        f"build {h['build_seconds']:.1f} s"
    )


def _bars_text(o):
    from gaba.golden.foldiak.experiments import REFERENCE_CURVE

    at = dict(zip(o["curve"]["presentations"], o["curve"]["mean_bars_represented"], strict=True))
    points = [f"{p}: {at[p]:.2f}" for p in REFERENCE_CURVE if p in at]
    lines = [
        f"foldiak bars ({o['model']} model, {o['runs']} runs x {o['presentations']} "
        f"presentations, seed {o['seed']}, {o['seconds']:.2f} s)",
        f"  all 16 bars        {o['runs_all_bars']} of {o['runs']} runs",
        f"  bars represented   {o['mean_bars_represented']:.2f} (mean over runs)",
        f"  exact-code error   {100 * o['code_error']:.2f} % of {o['test_patterns']} fresh "
        "patterns (mean over runs)",
    ]
    if points:
        ref = " / ".join(f"{v:g}" for p, v in REFERENCE_CURVE.items() if p in at)
        lines.append(f"  learning curve     {'  '.join(points)} (reference {ref})")
    w, t = o["w_range"], o["t_range"]
    lines.append(f"  learned ranges     w [{w[0]:.2f}, {w[1]:.2f}], t [{t[0]:.2f}, {t[1]:.2f}]")
    lines += _saturation_lines(o)
    lines.append(f"  wrote {', '.join(o['files'])}")
    return "\n".join(lines)


def _saturation_lines(o):
    return [
        f"  WARNING: {name} saturated in {o[key]} runs"
        for name, key in (("w", "w_saturated_runs"), ("t", "t_saturated_runs"))
        if o[key]
    ]


# gaba foldiak letters ------------------------------------------------------------------------


def _letters(args):
    from gaba.sim import plots

    out = output_folder(args)
    outcome = _learn("letters", args)
    summary = outcome.summary()
    _write(out / f"letters-{args.model}", outcome, summary, codes=plots.letter_codes)
    print(json.dumps(summary) if args.json else _letters_text(summary, outcome))
    return 0


def _letters_text(o, outcome):
    from gaba.golden.foldiak.letters import ALPHABET, FREQUENCIES

    order = sorted(range(26), key=lambda k: -FREQUENCIES[k])
    active = " ".join(f"{ALPHABET[k]} {o['mean_active_units'][ALPHABET[k]]:.1f}" for k in order)
    lines = [
        f"foldiak letters ({o['model']} model, {o['runs']} runs x {o['presentations']} "
        f"presentations, seed {o['seed']}, {o['seconds']:.2f} s)",
        f"  distinct codes     {o['mean_distinct_codes']:.1f} of 26 (mean); 26 distinct and "
        f"non-empty in {o['runs_all_distinct']} of {o['runs']} runs",
        f"  active units       {active} (most frequent first)",
        f"  frequent / rare    {o['active_frequent5']:.2f} / {o['active_rare5']:.2f} active "
        "units (five most / five least frequent letters)",
        "  codes of run 0     "
        + " ".join(
            f"{ALPHABET[k]}:" + ("".join("1" if v else "." for v in outcome.codes[0, k]))
            for k in range(6)
        )
        + " ...",
    ]
    lines += _saturation_lines(o)
    lines.append(f"  wrote {', '.join(o['files'])}")
    return "\n".join(lines)
