"""``gaba foldiak``: Földiák's anti-Hebbian sparse-coding layer on the bars and the letters.

    gaba foldiak bars    [--model float|fixed|verilator|icarus] [--presentations P] [--runs R]
                         [--seed X] [--out DIR] [--json] [--quiet]
    gaba foldiak letters [--model float|fixed] [--presentations P] [--runs R] [--seed X]
                         [--out DIR] [--json] [--quiet]

A thin shell over :mod:`gaba.golden.foldiak.experiments`: it learns, scores, writes PNG plots
and a JSON summary under ``--out``, and prints a summary (or the JSON with ``--json``). Bad
input gets one line on stderr and exit status 2, like every ``gaba`` command.
"""

from __future__ import annotations

import json
from pathlib import Path

from gaba.cli import Progress, _checked, _Parser, _positive_int, _seed

__all__ = ["MODEL_CHOICES", "register"]

#: The models ``--model`` offers: the float reference, the fixed-point golden model, and (bars
#: only: the on-chip pattern source draws bars) the generated hardware on a simulator.
MODEL_CHOICES = ["float", "fixed"]
HARDWARE = ["verilator", "icarus"]


def _presentations(label: str, *, enabled: bool) -> Progress:
    """Progress on stderr counted in presentations."""
    return Progress(label, enabled=enabled, unit="presentations")


def register(sub) -> None:
    """Add ``foldiak bars`` and ``foldiak letters`` to the ``gaba`` subcommands ``sub``."""
    f = sub.add_parser("foldiak", help="Földiák's anti-Hebbian layer: bars and letters")
    demos = f.add_subparsers(dest="demo", metavar="DEMO", parser_class=_Parser)
    demos.required = True
    b = demos.add_parser("bars", help="learn the bars problem; bars represented, code error")
    _options(b, runs=25, hardware=True)
    b.set_defaults(func=_cmd_bars)
    lt = demos.add_parser("letters", help="learn the alphabet; the letters' codes")
    _options(lt, runs=10)
    lt.set_defaults(func=_cmd_letters)


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
        type=_positive_int,
        default=3000,
        help="training presentations after the threshold pre-run (default 3000)",
    )
    p.add_argument("--runs", type=_positive_int, default=runs, help=f"independent runs ({runs})")
    p.add_argument("--seed", type=_seed, default=1, help="run seed (default 1)")
    p.add_argument("--out", default="build/foldiak", help="folder for PNG and JSON (build/foldiak)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _run(kind, args):
    from gaba.golden.foldiak import experiments as fe

    progress = _presentations(
        f"foldiak {kind} ({args.model}, {args.runs} runs)", enabled=not args.quiet
    )

    run = fe.run_bars if kind == "bars" else fe.run_letters
    return _checked(
        f"foldiak {kind}",
        lambda: run(args.model, args.runs, args.presentations, args.seed, progress=progress),
    )


def _run_hardware(args):
    """The bars on the simulated hardware: (outcome, the comparison's summary)."""
    from gaba.cli import ToolError, _stage
    from gaba.golden.foldiak.config import FoldiakConfig
    from gaba.hdl.foldiak import cycles_per_presentation
    from gaba.sim import runner
    from gaba.sim.compare_foldiak import hardware_bars

    progress = _presentations(
        f"foldiak bars ({args.model}, {args.runs} runs)", enabled=not args.quiet
    )
    cfg = FoldiakConfig.paper()
    try:
        outcome, reports = hardware_bars(
            cfg,
            args.runs,
            args.presentations,
            args.seed,
            simulator=args.model,
            progress=progress,
            say=_stage(args.quiet),
        )
    except (runner.ToolchainError, runner.SimulationError) as e:
        raise ToolError(str(e)) from None
    hardware = {
        "bit_exact": all(r.bit_exact for r in reports),
        "mismatches": sum(r.mismatches for r in reports),
        "values_compared": sum(r.values_compared for r in reports),
        "first_mismatch": next(
            (r.first_mismatch.describe() for r in reports if r.first_mismatch), None
        ),
        "clocks_per_presentation": cycles_per_presentation(cfg),
        "train_cycles": sum(r.train_cycles for r in reports),
        "sim_cycles": sum(r.sim_cycles for r in reports),
        "sim_seconds": round(sum(r.sim_seconds for r in reports), 3),
        "build_seconds": round(reports[0].build_seconds, 2),
    }
    return outcome, hardware


def _write(out: Path, name: str, summary: dict, figures: dict) -> list[Path]:
    files = []
    for suffix, fig in figures.items():
        path = out / f"{name}-{suffix}.png"
        fig.savefig(path, dpi=110)
        files.append(path)
    path = out / f"{name}.json"
    path.write_text(json.dumps(summary, indent=1) + "\n")
    return [*files, path]


# gaba foldiak bars ---------------------------------------------------------------------------


def _cmd_bars(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)  # fail before the work, not after
    if args.model in HARDWARE:
        outcome, hardware = _run_hardware(args)
    else:
        outcome, hardware = _run("bars", args), None
    summary = outcome.summary()
    if hardware is not None:
        summary["hardware"] = hardware
    files = _write(
        out,
        f"bars-{args.model}",
        summary,
        {"fields": _fields_figure(outcome), "curve": _curve_figure(outcome)},
    )
    summary["files"] = [str(f) for f in files]
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


def _figure(*size):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=size)


def _fields_figure(outcome, run=0):
    """The 16 units' feed-forward weights (8 x 8 each) of one run, with the bar each codes."""
    from gaba.golden.foldiak import bars

    lr = outcome.learned
    q = lr.q[run] / lr.scale
    which = bars.unit_bars(lr.q[run])
    n = q.shape[0]
    cols = 8 if n > 16 else 4
    rows = -(-n // cols)
    fig = _figure(1.6 * cols, 1.75 * rows + 0.4)
    for i in range(n):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(q[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        b = which[i]
        label = "none" if b < 0 else (f"row {b}" if b < 8 else f"column {b - 8}")
        ax.set_title(f"unit {i}: {label}", fontsize=7)
    fig.suptitle(
        f"Learned feed-forward weights q ({outcome.model} model, run {run}, "
        f"{lr.presentations} presentations)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def _curve_figure(outcome):
    """Mean bars represented against training presentations, with the reference's points."""
    from gaba.golden.foldiak.bars import bars_represented
    from gaba.golden.foldiak.experiments import REFERENCE_CURVE

    lr = outcome.learned
    fig = _figure(6.0, 4.0)
    ax = fig.add_subplot()
    per_run = bars_represented(lr.q_hist)
    ax.plot(lr.snapshot_at, per_run.T, color="0.8", lw=0.6)
    ax.plot(lr.snapshot_at, outcome.curve, color="C0", lw=2, label=f"mean of {lr.runs} runs")
    ax.plot(
        list(REFERENCE_CURVE),
        list(REFERENCE_CURVE.values()),
        "o",
        color="C3",
        label="reference (float model)",
    )
    ax.set_xlabel("training presentations")
    ax.set_ylabel("bars represented (of 16)")
    ax.set_ylim(0, 16.5)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(f"Bars problem: {outcome.model} model", fontsize=10)
    fig.tight_layout()
    return fig


# gaba foldiak letters ------------------------------------------------------------------------


def _cmd_letters(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    outcome = _run("letters", args)
    summary = outcome.summary()
    files = _write(out, f"letters-{args.model}", summary, {"codes": _codes_figure(outcome)})
    summary["files"] = [str(f) for f in files]
    if args.json:
        print(json.dumps(summary))
    else:
        print(_letters_text(summary, outcome))
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


def _codes_figure(outcome, run=0):
    """Each letter's binary code (rows) over the units (columns) for one run, beside the
    glyphs."""
    from gaba.golden.foldiak.letters import ALPHABET, glyphs

    codes = outcome.codes[run]
    fig = _figure(9.0, 4.6)
    ax = fig.add_subplot(1, 2, 1)
    ax.imshow(codes, cmap="gray_r", aspect="auto", interpolation="nearest")
    ax.set_yticks(range(26), list(ALPHABET), fontsize=7)
    ax.set_xticks(range(codes.shape[1]))
    ax.tick_params(axis="x", labelsize=6)
    ax.set_xlabel("output unit")
    ax.set_title(f"letter codes ({outcome.model} model, run {run})", fontsize=9)
    ax2 = fig.add_subplot(1, 2, 2)
    sheet = glyphs().reshape(2, 13, 8, 8).transpose(0, 2, 1, 3).reshape(16, 104)
    ax2.imshow(sheet, cmap="gray_r", interpolation="nearest")
    ax2.set_xticks([])
    ax2.set_yticks([])
    ax2.set_title("the font (A-M, N-Z)", fontsize=9)
    fig.tight_layout()
    return fig
