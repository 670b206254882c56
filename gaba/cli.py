"""The ``gaba`` command line: a thin shell over gaba.golden, gaba.hdl, gaba.sim and gaba.boards.

Every command validates its arguments and answers bad input with one line on stderr and exit
status 2, never a traceback. Long runs show progress on stderr; ``--json`` prints one JSON
object on stdout and nothing else there.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings

__all__ = ["main"]


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class ToolError(Exception):
    """A tool is missing or failed: reported as one line with the remedy, exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not usage + message
        raise UsageError(f"{self.prog}: {message}")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


def _seed(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, not {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"seed must be in 0..2**32-1, not {text!r}")
    return value


def _number(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, not {text!r}")
    return value


class Progress:
    """Progress on stderr: a live line on a terminal, a few plain lines otherwise."""

    def __init__(self, label: str, *, enabled: bool = True, unit: str = "trials"):
        self.label, self.enabled, self.unit = label, enabled, unit
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last = -1.0

    def __call__(self, done: int, total: int):
        if not self.enabled:
            return
        now = time.monotonic() - self.start
        if not self.tty and done < total and now - self.last < 5.0:
            return
        self.last = now
        end = "\n" if (done >= total or not self.tty) else ""
        sys.stderr.write(f"\r{self.label}: {done}/{total} {self.unit}, {now:.1f} s{end}")
        sys.stderr.flush()


# gaba golden -------------------------------------------------------------------------------


INTEGRATOR_DESIGNS = ("parallel-integrators", "serial-integrator")


def _number_grid(text):
    values = []
    for part in (v.strip() for v in text.split(",")):
        if part:
            values.append(_number(part))
    if not values:
        raise argparse.ArgumentTypeError(f"expected numbers like 0.05,0.1, not {text!r}")
    return values


def _network_args(p, *, with_n=True, designs=("nwta", "wta"), delta=0.05, grids=False):
    """The network's options; ``grids``: --delta and --sigma take comma-separated grids."""
    p.add_argument("kind", choices=list(designs), help="design: " + ", ".join(designs))
    if with_n:
        p.add_argument(
            "--n",
            type=_positive_int,
            default=None,
            help="number of options (default 10); foldiak: output units (default 16)",
        )
    kind, each = (_number_grid, ": a value or a comma-separated grid") if grids else (_number, "")
    for name, default, what in (("delta", delta, "input gap"), ("sigma", 0.22, "noise std")):
        p.add_argument(
            f"--{name}",
            type=kind,
            default=[default] if grids else default,
            help=f"{what}{each} (default {default})",
        )
    p.add_argument("--theta", type=_number, default=0.2, help="nWTA gate (default 0.2)")
    p.add_argument("--dt", type=_number, default=2.0**-7, help="Euler step in tau (2**-7)")
    p.add_argument("--horizon", type=_number, default=200.0, help="timeout in tau (200)")
    p.add_argument("--latency", type=int, default=0, help="inhibition latency in steps (0)")
    p.add_argument("--frac-bits", type=int, default=12, help="fractional bits (default 12)")
    p.add_argument(
        "--step-clocks",
        type=int,
        default=None,
        help="clocks per Euler step in hardware, 1 to 8: more give a higher fmax and the same "
        "results (default 1; gaba build: the board's default; gaba board: the board's)",
    )


def _params(args):
    from gaba.golden.params import NetworkParams

    return NetworkParams(
        kind="nwta" if args.kind in INTEGRATOR_DESIGNS else args.kind,
        n=10 if args.n is None else args.n,
        delta=args.delta,
        sigma=args.sigma,
        theta=args.theta,
        dt=args.dt,
        horizon=args.horizon,
        latency=args.latency,
    )


def _config(args, params):
    from gaba.golden.config import Config

    clocks = 1 if args.step_clocks is None else args.step_clocks
    return Config(params=params, frac_bits=args.frac_bits, step_clocks=clocks)


def _cmd_golden(args):
    from gaba.golden import fixed, reference

    params = _checked("golden", lambda: _params(args))
    progress = Progress(f"golden {args.kind} n={params.n} ({args.model})", enabled=not args.quiet)
    start = time.monotonic()
    if args.model == "float":
        res = reference.simulate_float(params, args.trials, args.seed, progress=progress)
        extra = {}
    else:
        cfg = _checked("golden", lambda: _config(args, params))
        res = fixed.run_trials(cfg, args.trials, args.seed, progress=progress)
        extra = {
            "frac_bits": cfg.frac_bits,
            "config_digest": cfg.digest(),
            "eta_saturated_trials": int(res.eta_sat.sum()),
            "r_saturated_trials": int(res.r_sat.sum()),
        }
    seconds = time.monotonic() - start
    out = {
        "kind": args.kind,
        "model": args.model,
        "n": params.n,
        "delta": args.delta,
        "sigma": args.sigma,
        "theta": args.theta,
        "seed": args.seed,
        **res.summary(),
        "mean_decision_steps": _mean_steps(res),
        **extra,
        "seconds": round(seconds, 3),
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(_summary_text(out))
    return 0


def _mean_steps(res):
    return float(res.steps[res.decided].mean()) if res.decided.any() else None


def _fmt(value, se=None, digits=3):
    if value is None:
        return "n/a"
    text = f"{value:.{digits}f}"
    return text if se is None else f"{text} ± {se:.{digits}f}"


def _summary_text(o):
    lines = [
        f"{o['kind']} n={o['n']} delta={o['delta']} sigma={o['sigma']} ({o['model']} model, "
        f"{o['trials']} trials, seed {o['seed']}, {o['seconds']:.2f} s)",
        f"  decided            {100 * o['decided_fraction']:.1f} % of trials",
        f"  mean decision time {_fmt(o['mean_decision_time'], o['mean_decision_time_se'], 2)}"
        " tau (decided trials)",
        f"  accuracy           {_fmt(o['accuracy'], o['accuracy_se'])} (decided trials)",
    ]
    if o.get("eta_saturated_trials"):
        lines.append(f"  WARNING: eta saturated in {o['eta_saturated_trials']} trials")
    if o.get("r_saturated_trials"):
        lines.append(f"  WARNING: r saturated in {o['r_saturated_trials']} trials")
    return "\n".join(lines)


# gaba demo ---------------------------------------------------------------------------------


def _cmd_demo(args):
    from gaba.golden import fixed
    from gaba.golden.config import Config

    if args.out == "-":
        raise UsageError("gaba demo: -o needs a file name (the demo prints its summary)")
    cfg = _checked("demo", lambda: Config.paper(n=args.n, delta=0.10))
    p = cfg.params
    say = _stage(args.quiet)
    print(
        f"gaba demo: nWTA, n={p.n}, delta={p.delta}, sigma={p.sigma}, theta={p.theta}, "
        f"dt=2^{math.log2(p.dt):.0f} tau; x Q{cfg.x_int_bits}.{cfg.frac_bits}, Config "
        f"{cfg.digest()}"
    )
    out = _verilog_file(cfg, args.out)
    print(f"  Verilog          {out} ({out.stat().st_size // 1024} KiB)")
    report = _run_compare(cfg, "verilator", "trials", args.trials, args.seed, False, say)
    golden = fixed.run_trials(cfg, args.trials, args.seed).summary()
    j = report.to_json()
    verdict = "BIT-EXACT" if report.bit_exact else f"MISMATCH ({report.mismatches} values)"
    print(
        f"  hardware         Verilator, {args.trials} trials, {int(j['sim_cycles'])} cycles "
        f"in {j['sim_seconds']:.2f} s ({j['cycles_per_second'] / 1e3:.0f} k cycles/s), "
        f"build {j['build_seconds']:.1f} s"
    )
    print(
        f"  golden model     {verdict} against the hardware, trial by trial "
        "(winner, cycles, flags, final-state digest)"
    )
    if report.first_mismatch is not None:
        print(f"  first mismatch   {report.first_mismatch.describe()}")
        if report.waveform:
            print(f"  waveform         {report.waveform}")
    mean = j["mean_decision_cycles"]
    print(
        f"  decisions        {100 * j['decided_fraction']:.1f} % decided, mean "
        f"{_fmt(mean, None, 1)} cycles = {_fmt(golden['mean_decision_time'], None, 2)} tau, "
        f"accuracy {_fmt(golden['accuracy'])}"
    )
    return 0 if report.bit_exact else 1


# gaba verilog / compare ----------------------------------------------------------------------


def _stage(quiet):
    def say(text):
        if not quiet:
            print(f"  ... {text}", file=sys.stderr, flush=True)

    return say


def _write_verilog(out, default_name, text):
    """Write ``text`` to ``out`` ("-": stdout; None: build/verilog/``default_name``); the path
    written, or None for stdout."""
    from pathlib import Path

    from gaba.sim.runner import build_root

    if out == "-":
        sys.stdout.write(text)
        return None
    path = Path(out) if out else build_root() / "verilog" / default_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _verilog_file(cfg, out, debug=False):
    from gaba.hdl.engine import port_comment
    from gaba.sim.runner import verilog_text

    text = port_comment(cfg, debug=debug) + verilog_text(cfg, debug=debug)
    return _write_verilog(out, f"gaba_{cfg.kind}_n{cfg.n}.v", text)


_NETWORK_ONLY = {
    "delta": 0.05,
    "sigma": 0.22,
    "theta": 0.2,
    "dt": 2.0**-7,
    "horizon": 200.0,
    "latency": 0,
    "step_clocks": None,
}


def _foldiak_config(command, args):
    """The Földiák layer's Config from --n (units) and --frac-bits; nWTA options refused."""
    from gaba.golden.foldiak.config import FoldiakConfig

    given = [k for k, v in _NETWORK_ONLY.items() if getattr(args, k, v) != v]
    if given:
        raise UsageError(
            f"gaba {command}: foldiak takes --n (units) and --frac-bits only, not "
            + ", ".join(f"--{k.replace('_', '-')}" for k in given)
        )
    changes = {"frac_bits": args.frac_bits} | ({} if args.n is None else {"n": args.n})
    return _checked(command, lambda: FoldiakConfig.paper(**changes))


def _foldiak_verilog(args):
    from gaba.hdl.foldiak import cycles_per_presentation
    from gaba.sim.runner import FOLDIAK, verilog_text

    cfg = _foldiak_config("verilog", args)
    if args.debug:
        raise UsageError(
            "gaba verilog: foldiak reads its state back through its ports; drop --debug"
        )
    text = (
        f"// gaba foldiak: {cfg.m} inputs, {cfg.n} units, FoldiakConfig {cfg.digest()}; "
        f"{cycles_per_presentation(cfg)} clocks per training presentation (gaba.hdl.foldiak)\n"
        + verilog_text(cfg)
    )
    path = _write_verilog(args.o, f"gaba_foldiak_n{cfg.n}.v", text)
    if path:
        print(f"wrote {path}: module {FOLDIAK.name}, {cfg.m} inputs, {cfg.n} units")
    return 0


def _cmd_verilog(args):
    if args.kind == "foldiak":
        return _foldiak_verilog(args)
    params = _checked("verilog", lambda: _params(args))
    cfg = _checked("verilog", lambda: _config(args, params))
    if args.kind in INTEGRATOR_DESIGNS:
        if args.debug or args.latency or args.step_clocks not in (None, 1):
            raise UsageError(
                f"gaba verilog: {args.kind} has no debug ports, no inhibition latency and "
                "one clock per step; drop --debug, --latency and --step-clocks"
            )
        return _integrator_verilog(args, cfg)
    path = _verilog_file(cfg, args.o, debug=args.debug)
    if path:
        print(f"wrote {path}: module gaba_nwta, {cfg.kind} n={cfg.n} (ports documented at the top)")
    return 0


def _integrator_verilog(args, cfg):
    from gaba.sim.runner import BASELINES, verilog_text

    design = BASELINES[args.kind]
    text = (
        f"// gaba {args.kind}: n = {cfg.n}, Config {cfg.digest()}; per trial: winner, top, "
        f"cycles (gaba.golden.baselines)\n" + verilog_text(cfg, design=design)
    )
    path = _write_verilog(args.o, f"{design.name}_n{cfg.n}.v", text)
    if path:
        print(f"wrote {path}: module {design.name}, n={cfg.n}")
    return 0


def _run_compare(cfg, simulator, mode, trials, seed, waves, say):
    from gaba.sim import compare, runner

    try:
        return compare.compare(
            cfg, simulator, mode, trials=trials, seed=seed, waves=waves, progress=say
        )
    except (runner.ToolchainError, runner.SimulationError) as e:
        raise ToolError(str(e)) from None


def _foldiak_compare(args):
    from gaba.sim import runner
    from gaba.sim.compare_foldiak import compare_foldiak

    cfg = _foldiak_config("compare", args)
    mode = "lockstep" if args.mode == "lockstep" else "run"
    presentations = args.trials or cfg.pre_presentations + (10 if mode == "lockstep" else 3000)
    tests = 10 if mode == "lockstep" else 1000
    if mode == "run" and presentations < cfg.pre_presentations:
        raise UsageError(
            f"gaba compare: a foldiak run needs at least the {cfg.pre_presentations} "
            "presentations of the threshold pre-run (--trials), or --mode lockstep"
        )
    try:
        report = compare_foldiak(
            cfg,
            args.simulator,
            mode,
            presentations=presentations,
            tests=tests,
            seed=args.seed,
            waves=args.waves,
            progress=_stage(args.quiet),
        )
    except (runner.ToolchainError, runner.SimulationError) as e:
        raise ToolError(str(e)) from None
    j = report.to_json()
    if args.json:
        print(json.dumps(j))
        return 0 if report.bit_exact else 1
    verdict = "bit-exact" if report.bit_exact else "MISMATCH"
    what = "after every presentation" if mode == "lockstep" else "results and final state"
    print(
        f"foldiak ({cfg.m} inputs, {cfg.n} units) on {args.simulator}, {mode}: {presentations} "
        f"training presentations and {tests} test patterns (seed {args.seed}): {verdict}"
    )
    print(
        f"  compared        {j['values_compared']} values ({what}), {j['mismatches']} mismatching"
    )
    rate = j["sim_cycles"] / j["sim_seconds"] if j["sim_seconds"] else 0
    print(
        f"  simulation      {j['sim_cycles']} cycles in {j['sim_seconds']:.2f} s ({rate:.0f} "
        f"cycles/s); build {j['build_seconds']:.1f} s"
    )
    if report.first_mismatch is not None:
        print(f"  first mismatch  {report.first_mismatch.describe()}")
    return 0 if report.bit_exact else 1


def _cmd_compare(args):
    if args.kind == "foldiak":
        return _foldiak_compare(args)
    if args.trials is None:
        args.trials = 1 if args.mode == "lockstep" else 200
    params = _checked("compare", lambda: _params(args))
    cfg = _checked("compare", lambda: _config(args, params))
    report = _run_compare(
        cfg,
        args.simulator,
        args.mode,
        args.trials,
        args.seed,
        args.waves,
        _stage(args.quiet),
    )
    j = report.to_json()
    if args.json:
        print(json.dumps(j))
    else:
        verdict = "bit-exact" if report.bit_exact else "MISMATCH"
        print(
            f"{cfg.kind} n={cfg.n} on {args.simulator}, {args.mode} mode, {args.trials} "
            f"trials (seed {args.seed}): {verdict}"
        )
        print(
            f"  compared        {j['cycles_compared']} "
            f"{'cycles' if args.mode == 'lockstep' else 'trial results'}, "
            f"{j['mismatches']} mismatching values"
        )
        print(
            f"  simulation      {int(j['sim_cycles'])} cycles in {j['sim_seconds']:.2f} s "
            f"({j['cycles_per_second']:.0f} cycles/s); build {j['build_seconds']:.1f} s"
        )
        print(
            f"  decisions       {100 * j['decided_fraction']:.1f} % decided, mean "
            f"{_fmt(j['mean_decision_cycles'], None, 1)} cycles (Euler steps"
            + (f", {j['step_clocks']} clocks each)" if j["step_clocks"] > 1 else ")")
        )
        if report.first_mismatch is not None:
            print(f"  first mismatch  {report.first_mismatch.describe()}")
        if report.waveform:
            print(f"  waveform        {report.waveform}")
    return 0 if report.bit_exact else 1


# gaba sweep ----------------------------------------------------------------------------------


def _n_grid(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 2,4,8, not {text!r}"
        ) from None
    if not values or any(v < 2 for v in values):
        raise argparse.ArgumentTypeError(f"every n must be at least 2, not {text!r}")
    return values


def _listing(values):
    return ",".join(f"{v:g}" for v in values)


def _cmd_sweep(args):
    from pathlib import Path

    from gaba.sim import runner
    from gaba.sim.sweep import sweep, write_outputs

    say = _stage(args.quiet)
    Path(args.out).mkdir(parents=True, exist_ok=True)  # fail before the work, not after
    try:
        result = _checked(
            "sweep",
            lambda: sweep(
                args.kind,
                args.n,
                target=args.target,
                delta=args.delta,
                sigma=args.sigma,
                trials=args.trials,
                seed=args.seed,
                progress=say,
                theta=args.theta,
                latency=args.latency,
                horizon=args.horizon,
                frac_bits=args.frac_bits,
            ),
        )
    except (runner.ToolchainError, runner.SimulationError) as e:
        raise ToolError(str(e)) from None
    files = write_outputs(result, Path(args.out))
    j = result.to_json() | {"files": [str(f) for f in files]}
    if args.json:
        print(json.dumps(j))
        return 0 if result.identical is not False else 1
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
            f"  {r.n:>6}{extra}{_fmt(r.mean_decision_cycles, None, 1):>10}"
            f"{_fmt(r.mean_decision_time, r.decision_time_se, 2):>16}"
            f"{_fmt(r.accuracy) + ci:>26}{100 * r.decided_fraction:>8.1f}%"
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
    for note in result.notes:
        print(f"  {note}")
    print(f"  wrote {', '.join(str(f) for f in files)}")
    return 0 if result.identical is not False else 1


# gaba report ---------------------------------------------------------------------------------


def _cmd_report(args):
    from pathlib import Path

    from gaba.sim import runner
    from gaba.sim.report import build_report

    Path(args.out).mkdir(parents=True, exist_ok=True)  # fail before the work, not after
    try:
        path = build_report(
            Path(args.out),
            trials=args.trials,
            seed=args.seed,
            hardware=None if args.hardware == "none" else args.hardware,
            progress=_stage(args.quiet),
        )
    except (runner.ToolchainError, runner.SimulationError) as e:
        raise ToolError(str(e)) from None
    print(f"wrote {path}")
    return 0


# main --------------------------------------------------------------------------------------


def _parser():
    from gaba.cli_foldiak import register as _register_foldiak

    parser = _Parser(prog="gaba", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    g = sub.add_parser("golden", help="run the float or fixed-point model over many trials")
    _network_args(g)
    g.add_argument(
        "--model",
        choices=["float", "fixed"],
        default="fixed",
        help="float reference or fixed-point golden model (default fixed)",
    )
    g.add_argument("--trials", type=_positive_int, default=200, help="trials (default 200)")
    g.add_argument("--seed", type=_seed, default=1, help="run seed (default 1)")
    g.add_argument("--json", action="store_true", help="print one JSON object")
    g.add_argument("--quiet", action="store_true", help="no progress on stderr")
    g.set_defaults(func=_cmd_golden)

    d = sub.add_parser(
        "demo", help="generate, simulate on Verilator, compare with the golden model"
    )
    d.add_argument("--n", type=_positive_int, default=16, help="number of options (default 16)")
    d.add_argument("--trials", type=_positive_int, default=200, help="trials (default 200)")
    d.add_argument("--seed", type=_seed, default=1, help="run seed (default 1)")
    d.add_argument("-o", "--out", default=None, help="Verilog file (default under build/)")
    d.add_argument("--quiet", action="store_true", help="no progress on stderr")
    d.set_defaults(func=_cmd_demo)

    v = sub.add_parser("verilog", help="standalone Verilog of the trial engine for a Config")
    _network_args(v, designs=("nwta", "wta", "foldiak", *INTEGRATOR_DESIGNS))
    v.add_argument("--debug", action="store_true", help="add the lockstep debug ports")
    v.add_argument("-o", default=None, help="output file, '-' for stdout (default under build/)")
    v.set_defaults(func=_cmd_verilog)

    c = sub.add_parser("compare", help="simulate the hardware and compare with the golden model")
    _network_args(c, designs=("nwta", "wta", "foldiak"))
    c.add_argument("--simulator", choices=["verilator", "icarus"], default="verilator")
    c.add_argument(
        "--mode",
        choices=["lockstep", "trials"],
        default="trials",
        help="lockstep: the whole state every clock (foldiak: after every presentation); "
        "trials: results only (foldiak: a whole run, its final state and test patterns)",
    )
    c.add_argument(
        "--trials",
        type=_positive_int,
        default=None,
        help="trials (default 200 in trials mode, 1 in lockstep)",
    )
    c.add_argument("--seed", type=_seed, default=1, help="run seed (default 1)")
    c.add_argument("--waves", action="store_true", help="dump a waveform of the run")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument("--quiet", action="store_true", help="no progress on stderr")
    c.set_defaults(func=_cmd_compare)

    w = sub.add_parser("sweep", help="decision time, accuracy and decided fraction against n")
    _network_args(w, with_n=False, delta=0.10, grids=True)
    w.add_argument("--target", choices=["golden", "verilator", "icarus"], default="golden")
    w.add_argument(
        "--n",
        type=_n_grid,
        default=[2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
        help="comma-separated n grid (default 2,4,...,1024)",
    )
    w.add_argument("--trials", type=_positive_int, default=200, help="trials per n (200)")
    w.add_argument("--seed", type=_seed, default=1, help="run seed (default 1)")
    w.add_argument("--out", default="build/sweep", help="folder for CSV and PNG (build/sweep)")
    w.add_argument("--json", action="store_true", help="print one JSON object")
    w.add_argument("--quiet", action="store_true", help="no progress on stderr")
    w.set_defaults(func=_cmd_sweep)

    r = sub.add_parser("report", help="the results report: tables and plots under docs/")
    r.add_argument("--out", default="docs/results", help="folder (default docs/results)")
    r.add_argument("--trials", type=_positive_int, default=400, help="trials per point (400)")
    r.add_argument("--seed", type=_seed, default=1, help="run seed (default 1)")
    r.add_argument(
        "--hardware",
        choices=["none", "verilator", "icarus"],
        default="none",
        help="also sweep the generated hardware (slow the first time: builds)",
    )
    r.add_argument("--quiet", action="store_true", help="no progress on stderr")
    r.set_defaults(func=_cmd_report)
    _register_foldiak(sub)
    from gaba.cli_boards import register

    register(sub)
    return parser


def _warning_line(message, category, filename, lineno, file=None, line=None):
    print(f"gaba: warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from gaba.golden.config import ConfigWarning

    try:
        args = _parser().parse_args(argv)
        with warnings.catch_warnings():
            warnings.simplefilter("always", ConfigWarning)
            warnings.showwarning = _warning_line
            return args.func(args)
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
    except ToolError as e:
        print(f"gaba: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # an output path that cannot be written, a full disk, ...
        print(f"gaba: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gaba: interrupted", file=sys.stderr)
        return 130


def _checked(command, build):
    """Call ``build()``; a ValueError (invalid parameters) becomes a one-line usage error."""
    try:
        return build()
    except ValueError as e:
        raise UsageError(f"gaba {command}: {e}") from None
