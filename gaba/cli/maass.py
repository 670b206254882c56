"""``gaba maass``: Maass (2000) on winner-take-all as two demonstrations.

    gaba maass boolean [--n N] [--model golden|verilator|icarus] [--json] [--quiet]
    gaba maass approx  [--forms N,N,...] [--out DIR] [--json] [--quiet]

``boolean``: n-bit parity (XOR at n = 2), which no single threshold gate computes, by one
k-WTA gate over positive weighted sums: the gate, its truth table over every input, and on a
simulator the hardware (``maass-parity``) checked on every input against the golden model.
``approx``: one soft-WTA gate over positive linear forms approximating continuous functions:
the error against the number of forms (a PNG under ``--out`` and a JSON summary). A thin
shell over :mod:`gaba.golden.maass`.
"""

from __future__ import annotations

import json
import time

from gaba.cli.common import (
    Parser,
    Progress,
    add_output,
    checked,
    n_grid,
    output_folder,
    simulator_errors,
    stage,
    write_json,
)

__all__ = ["register"]

#: ``--forms`` of ``approx`` by default; the 1-D construction runs at n = 2**j + 1 from 3, up
#: to the largest below twice the largest form count asked.
FORMS = [8, 16, 32, 64, 128, 256]


def register(sub) -> None:
    """Add ``maass boolean`` and ``maass approx`` to the ``gaba`` subcommands ``sub``."""
    top = sub.add_parser("maass", help="Maass 2000: parity by one k-WTA gate; soft-WTA fits")
    demos = top.add_subparsers(dest="demo", metavar="DEMO", parser_class=Parser)
    demos.required = True
    b = demos.add_parser("boolean", help="d-bit parity by one k-WTA gate, every input")
    b.add_argument("--n", type=int, default=3, help="input bits, 2 to 12 (default 3; 2: XOR)")
    b.add_argument(
        "--model",
        choices=["golden", "verilator", "icarus"],
        default="golden",
        help="the golden model alone (default), or the hardware on a simulator against it",
    )
    add_output(b)
    b.set_defaults(func=_boolean)
    a = demos.add_parser("approx", help="soft-WTA over positive linear forms: error against n")
    a.add_argument(
        "--forms",
        type=n_grid,
        default=FORMS,
        help="form counts of the 2-D fit (default " + ",".join(map(str, FORMS)) + ")",
    )
    a.add_argument("--out", default="build/maass", help="folder for PNG and JSON (build/maass)")
    add_output(a)
    a.set_defaults(func=_approx)


# gaba maass boolean --------------------------------------------------------------------------


def _boolean(args):
    from gaba.golden import maass
    from gaba.sim import designs

    cfg = checked("maass boolean", lambda: maass.MaassConfig.paper(n=args.n))
    start = time.monotonic()
    u, value, mask, truth = maass.trials(cfg, 1 << cfg.n)
    gate = cfg.gate
    summary = {
        "function": f"parity of {cfg.n} bits",
        "n": cfg.n,
        "forms": [
            {"weights": list(w), "bias": c} for w, c in zip(gate.weights, gate.bias, strict=True)
        ],
        "k": gate.k,
        "score_bits": gate.width,
        "one_threshold_gate_can": maass.one_threshold_gate_can(cfg.truth),
        "inputs": 1 << cfg.n,
        "golden_correct": int((value == truth).sum()),
        "table": [
            {"inputs": int(w), "ones": int(bin(int(w)).count("1")), "value": bool(v)}
            for w, v in zip(u.tolist(), value.tolist(), strict=True)
        ],
    }
    ok = summary["golden_correct"] == summary["inputs"]
    if args.model != "golden":
        design = designs.get("maass-parity")
        with simulator_errors():
            report = design.compare(cfg, args.model, trials=1 << cfg.n, progress=stage(args.quiet))
        summary["hardware"] = {
            "simulator": args.model,
            "bit_exact": report.bit_exact,
            "trials": report.compared,
            "first_mismatch": None if report.bit_exact else report.first_mismatch.describe(),
        }
        ok = ok and report.bit_exact
    summary["seconds"] = time.monotonic() - start
    print(json.dumps(summary) if args.json else _boolean_text(summary))
    return 0 if ok else 1


def _boolean_text(o) -> str:
    lines = [
        f"maass boolean: {o['function']} by one {o['k']}-WTA gate over {len(o['forms'])} "
        f"positive weighted sums ({o['score_bits']}-bit scores); the gate's value is output 0",
    ]
    for j, f in enumerate(o["forms"]):
        terms = " + ".join(f"{w} x{i}" for i, w in enumerate(f["weights"]) if w)
        lines.append(f"  S_{j} = {terms + ' + ' if terms else ''}{f['bias']}")
    can = "yes" if o["one_threshold_gate_can"] else "no"
    lines.append(f"  one threshold gate can compute it: {can}")
    table = " ".join(f"{r['inputs']:0{o['n']}b}:{int(r['value'])}" for r in o["table"][:32])
    more = " ..." if len(o["table"]) > 32 else ""
    lines.append(f"  truth table (x{o['n'] - 1}..x0: value) {table}{more}")
    lines.append(f"  golden model: {o['golden_correct']} of {o['inputs']} inputs right")
    h = o.get("hardware")
    if h is not None:
        verdict = (
            "BIT-EXACT against the golden model"
            if h["bit_exact"]
            else f"MISMATCH (first: {h['first_mismatch']})"
        )
        lines.append(f"  hardware on {h['simulator']}: {verdict}, {h['trials']} inputs")
    return "\n".join(lines)


# gaba maass approx ---------------------------------------------------------------------------


def _approx(args):
    from gaba.golden import maass
    from gaba.sim import plots

    out = output_folder(args)
    start = time.monotonic()
    largest = max(args.forms)
    monotone = maass.monotone_errors([(1 << j) + 1 for j in range(1, max(2, largest.bit_length()))])
    progress = Progress("maass approx", enabled=not args.quiet, unit="fits")
    rows, fit = checked(
        "maass approx", lambda: maass.approximation_errors(args.forms, progress=progress)
    )
    summary = {
        "monotone": {"function": "x**2 on [0, 1]", "rows": monotone},
        "fit": {"function": "bump on [0, 1]**2 (gaba.golden.maass.bump)", "rows": rows},
        "seconds": time.monotonic() - start,
    }
    files = [
        plots.maass_approximation(out / "maass-approx.png", monotone, rows, fit),
        write_json(out / "maass-approx.json", summary),
    ]
    summary["files"] = [str(f) for f in files]
    print(json.dumps(summary) if args.json else _approx_text(summary))
    return 0


def _approx_text(o) -> str:
    lines = ["maass approx: one soft-WTA gate over positive linear forms"]
    lines.append("  x**2, Maass's forms:  n  max error  bound 1/(n-1)")
    lines += [
        f"  {r['forms']:>22}  {r['max_error']:.4f}     {r['bound']:.4f}"
        for r in o["monotone"]["rows"]
    ]
    lines.append("  2-D bump, fitted:     n  max error  RMS error  moved by an added form")
    lines += [
        f"  {r['forms_used']:>22}  {r['max_error']:.4f}     {r['rms_error']:.4f}     "
        f"{r['shift_changes']}"
        for r in o["fit"]["rows"]
    ]
    lines.append(f"  wrote {', '.join(o['files'])}")
    return "\n".join(lines)
