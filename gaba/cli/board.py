"""``gaba build`` and ``gaba board``: bitstreams for the boards, and talking to a board.

``gaba build`` calls :func:`gaba.boards.build.build`; ``gaba board {info,status,abort,run,read}``
opens the board (or the simulated board top, ``--port sim``) through
:mod:`gaba.boards.session`, which runs the trials or the Foldiak layer and holds them to the
golden model; this module parses the options and renders the results. A board failure is one
line and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from gaba.cli.common import (
    Parser,
    Progress,
    ToolError,
    UsageError,
    add_output,
    add_seed,
    checked,
    count,
    design_args,
    design_config,
    number,
    positive,
    positive_int,
    simulator_errors,
    stage,
)

__all__ = ["register"]

DESIGNS = ("nwta", "wta", "foldiak")


def _baud(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a baud rate, not {text!r}") from None
    if not 300 <= value <= 12_000_000:
        raise argparse.ArgumentTypeError(f"baud rate must be in 300..12000000, not {text!r}")
    return value


def register(sub) -> None:
    """Add ``build`` and ``board`` to the ``gaba`` subcommands ``sub``."""
    from gaba.boards.build import DEFAULT_BAUD
    from gaba.boards.platforms import board_names

    b = sub.add_parser("build", help="bitstream for a board (YoWASP), with resources and fmax")
    design_args(b, DESIGNS)
    b.add_argument("--board", required=True, choices=list(board_names()), help="target board")
    b.add_argument("--out", default=None, help="build folder (default under build/boards/)")
    b.add_argument(
        "--target-mhz",
        type=positive("frequency in MHz"),
        default=None,
        help="clock constraint for place and route (default 3x the board clock)",
    )
    b.add_argument("--baud", type=_baud, default=DEFAULT_BAUD, help="UART baud rate (115200)")
    b.add_argument(
        "--clock-div",
        type=positive_int,
        default=None,
        help="run the design at the board clock divided by this (board default: 2)",
    )
    b.add_argument(
        "--dsp",
        choices=["auto", "yes", "no"],
        default="auto",
        help="multipliers in DSP blocks (auto: where the board allows and they fit)",
    )
    add_output(b)
    b.set_defaults(func=_build)

    board = sub.add_parser("board", help="talk to a board (or the simulated board top)")
    actions = board.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True
    for name, func, text in (
        ("info", _info, "what the board runs: version, Config digest, clock, status"),
        ("status", _status, "run state and the last run's counters"),
        ("abort", _abort, "stop a run and drop its pending results"),
        ("run", _run, "run trials on the board and check them against the golden model"),
        ("read", _read, "read the Foldiak layer's learned q, w and t"),
    ):
        p = actions.add_parser(name, help=text)
        design_args(p, DESIGNS)
        p.add_argument(
            "--port",
            required=True,
            help="serial port of the board (e.g. /dev/ttyUSB1), or 'sim' for the simulated "
            "board top",
        )
        p.add_argument("--baud", type=_baud, default=DEFAULT_BAUD, help="baud rate (115200)")
        p.add_argument(
            "--timeout",
            type=positive("number of seconds"),
            default=2.0,
            help="seconds to wait for a reply (2)",
        )
        add_output(p)
        if name == "run":
            _run_options(p)
        p.set_defaults(func=func)


def _run_options(p):
    p.add_argument(
        "--trials",
        type=positive_int,
        default=None,
        help="trials (100); foldiak: training presentations, the pre-run included (pre-run + 100)",
    )
    p.add_argument("--tests", type=count, default=None, help="foldiak: test patterns after (100)")
    p.add_argument("--run", type=count, default=None, help="foldiak: run index (0)")
    add_seed(p)
    p.add_argument("--first", type=count, default=None, help="index of the first trial (0)")
    p.add_argument("--top", type=count, default=None, help="top-input option of every trial")
    p.add_argument(
        "--delta-in",
        type=number,
        default=None,
        help="input gap set by the host for every trial (units of b_max)",
    )
    p.add_argument(
        "--no-check",
        action="store_true",
        help="do not stream results (counters only; no golden comparison); foldiak: "
        "the training results are not streamed, the state and tests still checked",
    )


def _design_config(args, command, step_clocks=lambda n: 1):
    """The Config of the options; for a design with clocks per step, ``step_clocks(n)``
    stands in for a --step-clocks not given."""
    design, cfg = design_config(command, args)
    if "step_clocks" not in design.options or args.step_clocks is not None:
        return cfg
    return cfg.replace(step_clocks=step_clocks(cfg.n))


def _yes(flag) -> str:
    return "yes" if flag else "no"


# gaba build ----------------------------------------------------------------------------------


def _build(args):
    from gaba.boards import build as B
    from gaba.boards.platforms import board

    cfg = _design_config(args, "build", board(args.board).step_clocks)
    start = time.monotonic()
    try:
        result = B.build(
            cfg,
            args.board,
            out=args.out,
            target_mhz=args.target_mhz,
            baud=args.baud,
            dsp=args.dsp,
            clock_div=args.clock_div,
            progress=stage(args.quiet),
        )
    except ValueError as e:
        raise UsageError(f"gaba build: {e}") from None
    except B.BuildError as e:
        raise ToolError(str(e)) from None
    j = result.to_json()
    if args.json:
        print(json.dumps(j))
        return 0
    avail = result.available
    cp = result.critical_path or {}
    meets = "met" if result.fmax_mhz >= result.target_mhz else "missed"
    unit = "logic cells" if board(args.board).family == "ice40" else "LUT4s"
    design = (
        f"foldiak m={cfg.m} n={cfg.n}, FoldiakConfig {cfg.digest()}"
        if args.kind == "foldiak"
        else f"{cfg.kind} n={cfg.n}, Config {cfg.digest()}, latency {cfg.latency}"
    )
    print(f"{result.board} ({result.device}): {design}, {args.baud} baud")
    print(
        f"  resources   {result.luts} / {avail.get('luts')} {unit}, {result.ffs} FFs, "
        f"{result.brams} / {avail.get('brams')} block RAMs, {result.dsps} / {avail.get('dsps')} "
        "DSPs"
    )
    clock = f"{result.system_mhz:g} MHz" + (
        f" = board clock {result.clock_mhz:g} MHz / {result.clock_div}"
        if result.clock_div > 1
        else " (board clock)"
    )
    print(
        f"  timing      fmax {result.fmax_mhz:.1f} MHz; runs at {clock}; target "
        f"{result.target_mhz:g} MHz {meets}"
    )
    if cp:
        print(
            f"  critical    {cp['from']} -> {cp['to']}: {cp['delay_ns']} ns, "
            f"{cp['logic_levels']} logic levels ({cp['routing_ns']} ns routing)"
        )
    if result.note:
        print(f"  note        {result.note}")
    print(f"  bitstream   {result.bitstream}")
    print(
        f"  build       {j['build_seconds']:.1f} s, peak memory {j['peak_memory_mb']:.0f} MB "
        f"({time.monotonic() - start:.1f} s in all)"
    )
    return 0


# gaba board ----------------------------------------------------------------------------------


def _connect(args, cfg):
    """The board of ``--port`` (gaba.boards.session.Link: ``with`` gives the board); a port
    that does not open, or a simulated board that does not build, is one line."""
    from gaba.boards import session
    from gaba.boards.host import BoardError

    say = stage(args.quiet)
    with simulator_errors():
        try:
            return checked(
                "board",
                lambda: session.connect(
                    args.port, cfg, baud=args.baud, timeout=args.timeout, progress=say
                ),
            )
        except BoardError as e:
            raise ToolError(str(e)) from None


def _ask(command, fn):
    """Run ``fn()`` on an open board; a board failure becomes one line and exit status 1, a
    board that runs another Config a usage error of ``command``."""
    from gaba.boards.host import BoardError
    from gaba.boards.session import ConfigMismatch
    from gaba.sim import runner

    try:
        return fn()
    except ConfigMismatch as e:
        raise UsageError(f"gaba {command}: {e}") from None
    except BoardError as e:
        raise ToolError(f"board: {e}") from None
    except runner.SimulationError as e:
        raise ToolError(str(e)) from None


def _query(args, *calls):
    """Open the board of the options, call each of ``calls`` (a method of the board) in
    turn, close; their answers."""
    with _connect(args, _design_config(args, "board")) as board:
        return [_ask("board", getattr(board, name)) for name in calls]


def _running(status) -> str:
    return "running" if status.busy else "idle"


def _info(args):
    from gaba.boards.session import board_clocks

    cfg = _design_config(args, "board")
    with _connect(args, cfg) as board:
        info = _ask("board", board.info)
        status = _ask("board", board.status)
    foldiak = args.kind == "foldiak"
    if not foldiak and _adopt_clocks(args):
        cfg = board_clocks(cfg, info)
    j = {
        **vars(info),
        "config_matches": info.config_digest == cfg.digest(),
        "baud": round(info.baud),
        "status": vars(status),
    }
    if args.json:
        print(json.dumps(j))
        return 0
    match = "matches" if j["config_matches"] else f"differs from these options' {cfg.digest()}"
    design = (
        f"foldiak m={info.m} n={info.n}, FoldiakConfig"
        if foldiak
        else f"{info.kind} n={info.n}, Config"
    )
    print(
        f"{args.port}: gaba {info.version}, protocol {info.protocol}, {design} "
        f"{info.config_digest} ({match})"
    )
    if foldiak:
        layer = (
            f"q, w, t, y* {info.q_bits}, {info.w_bits}, {info.t_bits}, {info.y_bits} bits; "
            f"{info.settle_steps} settling steps, pre-run {info.pre_presentations} presentations"
        )
    else:
        layer = (
            f"latency {info.latency}, {info.step_clocks} clock(s) per step, max_steps "
            f"{info.max_steps}"
        )
    print(
        f"  clock {info.clock_hz / 1e6:g} MHz, {info.divisor} clocks per bit ({j['baud']} baud), "
        f"result FIFO {info.fifo_depth}; {layer}"
    )
    print(
        f"  status: {_running(status)}, {status.results} results in the last run, "
        f"{status.fifo_level} waiting, {status.bad_frames} bad frames"
    )
    return 0


def _status(args):
    status, s = _query(args, "status", "summary")
    if args.json:
        print(json.dumps({**vars(status), "summary": vars(s)}))
    elif args.kind == "foldiak":
        print(
            f"{args.port}: {'busy' if status.busy else 'idle'}; run: {s.presentations} "
            f"presentations, w_sat {_yes(s.w_sat)}, t_sat {_yes(s.t_sat)}; last command: "
            f"{s.results} results, {s.run_cycles} cycles"
        )
    else:
        print(
            f"{args.port}: {_running(status)}; last run: {s.trials} trials, {s.decided} "
            f"decided, {s.correct} correct, {s.saturated} saturated, {s.steps} steps, "
            f"{s.run_cycles} cycles"
        )
    return 0


def _abort(args):
    _query(args, "abort")
    if args.json:
        print(json.dumps({"aborted": True}))
    else:
        again = " (F_INIT starts a new run)" if args.kind == "foldiak" else ""
        print(f"{args.port}: run aborted, result FIFO emptied{again}")
    return 0


def _adopt_clocks(args) -> bool:
    """Without --step-clocks, a real board's Config takes the clocks per step it was built
    with."""
    return args.step_clocks is None and args.port != "sim"


def _refuse(command, given: dict, design: str):
    """One usage error naming the options (given: option -> value, None if not given) that
    only ``design`` takes."""
    wrong = [name for name, value in given.items() if value is not None]
    if wrong:
        raise UsageError(
            f"gaba {command}: {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} "
            f"for {design} only"
        )


def _run(args):
    from gaba.boards import session

    cfg = _design_config(args, "board run")
    if args.kind == "foldiak":
        return _run_foldiak(args, cfg)
    _refuse("board run", {"--tests": args.tests, "--run": args.run}, "foldiak")
    trials = 100 if args.trials is None else args.trials
    first = 0 if args.first is None else args.first
    delta_q = None
    if args.delta_in is not None:
        delta_q = round(args.delta_in * 2**cfg.frac_bits)
        if not 0 <= delta_q <= cfg.x_max:
            raise UsageError(
                f"gaba board run: --delta-in must lie in 0..{cfg.x_max / 2**cfg.frac_bits:g}, "
                f"not {args.delta_in}"
            )
    if args.top is not None and args.top >= cfg.n:
        raise UsageError(f"gaba board run: --top must be below n = {cfg.n}, not {args.top}")
    progress = Progress(f"board run {cfg.kind} n={cfg.n}", enabled=not args.quiet)
    with _connect(args, cfg) as board:
        run = _ask(
            "board run",
            lambda: session.run_trials(
                board,
                cfg,
                seed=args.seed,
                trials=trials,
                first=first,
                top=args.top,
                delta_q=delta_q,
                check=not args.no_check,
                adopt_clocks=_adopt_clocks(args),
                source=args.port,
                progress=progress,
            ),
        )
    if args.json:
        print(json.dumps(run.to_json()))
    else:
        _run_text(run)
    if not run.counted:
        print(
            f"gaba: the board counted {run.summary.trials} trials, expected {trials}",
            file=sys.stderr,
        )
    return 0 if run.ok else 1


def _run_text(run):
    cfg, info, s, report = run.cfg, run.info, run.summary, run.report
    print(
        f"{cfg.kind} n={cfg.n} on {run.source} (Config {info.config_digest}): "
        f"{run.trials} trials from {run.first}, seed {run.seed}"
    )
    if report is not None:
        verdict = "BIT-EXACT" if report.bit_exact else f"MISMATCH ({report.mismatches} values)"
        print(
            f"  results    {verdict} against the golden model, trial by trial (winner, top, "
            "cycles, flags, final-state digest)"
        )
        if report.first_mismatch is not None:
            print(f"  first      {report.first_mismatch.describe()}")
    else:
        print("  results    not streamed (--no-check): counters only")
    us = s.run_cycles / info.clock_hz * 1e6
    print(
        f"  counters   {s.trials} trials, {s.decided} decided, {s.correct} for the top "
        f"option, {s.saturated} saturated; {s.steps} steps; {s.run_cycles} cycles "
        f"= {us:.1f} us at {info.clock_hz / 1e6:g} MHz"
    )
    print(f"  host       {run.seconds:.2f} s")


# gaba board ... foldiak -----------------------------------------------------------------------


def _run_foldiak(args, cfg):
    """F_INIT, F_TRAIN (streamed unless --no-check), the state read back, F_TEST; all of it
    held to the golden model."""
    from gaba.boards import session

    _refuse(
        "board run",
        {"--first": args.first, "--top": args.top, "--delta-in": args.delta_in},
        "nwta and wta",
    )
    presentations = cfg.pre_presentations + 100 if args.trials is None else args.trials
    tests = 100 if args.tests is None else args.tests
    progress = Progress(
        f"board run foldiak n={cfg.n}", enabled=not args.quiet, unit="presentations"
    )
    with _connect(args, cfg) as board:
        run = _ask(
            "board run",
            lambda: session.run_foldiak(
                board,
                cfg,
                seed=args.seed,
                run=args.run or 0,
                presentations=presentations,
                tests=tests,
                stream=not args.no_check,
                source=args.port,
                progress=progress,
            ),
        )
    if args.json:
        print(json.dumps(run.to_json()))
        return 0 if run.ok else 1
    report, s, clock_hz = run.report, run.summary, run.info.clock_hz
    what = "every presentation's y*, bars, index and flags; " if run.streamed else ""
    verdict = "BIT-EXACT" if report.bit_exact else f"MISMATCH ({report.mismatches} values)"
    print(
        f"foldiak m={cfg.m} n={cfg.n} on {args.port} (FoldiakConfig {run.info.config_digest}): "
        f"run {run.run} of seed {args.seed}, {presentations} presentations (pre-run "
        f"{cfg.pre_presentations} included), {tests} test patterns"
    )
    print(
        f"  results    {verdict} against the golden model: {what}q, w, t read back"
        f"{'; the test patterns' if tests else ''} ({report.values_compared} values)"
    )
    if report.first_mismatch is not None:
        print(f"  first      {report.first_mismatch.describe()}")
    print(
        f"  counters   {s.presentations} presentations, w_sat {_yes(s.w_sat)}, t_sat "
        f"{_yes(s.t_sat)}; the last command: {s.results} results in {s.run_cycles} cycles "
        f"= {s.run_cycles / clock_hz * 1e6:.1f} us at {clock_hz / 1e6:g} MHz"
    )
    print(f"  host       {run.seconds:.2f} s")
    return 0 if run.ok else 1


def _read(args):
    from gaba.boards.session import read_foldiak

    if args.kind != "foldiak":
        raise UsageError(f"gaba board read: {args.kind} has no learned weights; use foldiak")
    cfg = _design_config(args, "board read")
    with _connect(args, cfg) as board:
        info, state = _ask("board read", lambda: read_foldiak(board, cfg))
    j = {
        "port": args.port,
        "config_digest": info.config_digest,
        "frac_bits": cfg.frac_bits,
        "presentations": state["presentations"],
        "w_sat": state["w_sat"],
        "t_sat": state["t_sat"],
        **{name: state[name].tolist() for name in ("q", "w", "t")},
    }
    if args.json:
        print(json.dumps(j))
        return 0
    one = 2.0**cfg.frac_bits
    ranges = ", ".join(
        f"{name} in [{state[name].min() / one:.3f}, {state[name].max() / one:.3f}]"
        for name in ("q", "w", "t")
    )
    print(
        f"{args.port}: foldiak m={cfg.m} n={cfg.n}, {state['presentations']} presentations, "
        f"w_sat {_yes(state['w_sat'])}, t_sat {_yes(state['t_sat'])}; {ranges}"
    )
    print("  t " + " ".join(f"{v / one:.3f}" for v in state["t"]))
    print("  (--json: q [n][m], w [n][n] and t [n] as integers, value / 2**frac_bits)")
    return 0
