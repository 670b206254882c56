"""``gaba build`` and ``gaba board``: bitstreams for the boards, and talking to a board.

``gaba build`` calls :func:`gaba.boards.build.build`; ``gaba board {info,status,abort,run,read}``
opens the board (or the simulated board top, ``--port sim``) through
:mod:`gaba.boards.session`, and the design's board entry (the board registry,
:mod:`gaba.boards.designs`) runs it and holds it to the golden model, or reads what it
learned; the designs, the options only some of them take and how their runs read all come
from the registry. This module parses the options and prints the results. A board failure
is one line and exit status 1.
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
    from gaba.boards import designs
    from gaba.boards.build import DEFAULT_BAUD, ROUTERS
    from gaba.boards.platforms import board_names

    names = designs.names()
    b = sub.add_parser("build", help="bitstream for a board (YoWASP), with resources and fmax")
    design_args(b, names)
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
        "--pll-mhz",
        type=positive("frequency in MHz"),
        default=None,
        help="run the design at this clock from the board's PLL, not the board clock",
    )
    b.add_argument(
        "--replicas",
        type=positive_int,
        default=1,
        help="copies of the trial engine sharing each run, a power of two (nwta, wta; 1)",
    )
    b.add_argument(
        "--dsp",
        choices=["auto", "yes", "no"],
        default="auto",
        help="multipliers in DSP blocks (auto: where the board allows and they fit)",
    )
    b.add_argument(
        "--router",
        choices=list(ROUTERS),
        default=None,
        help="nextpnr's router (default nextpnr's, router1; router2 for large designs)",
    )
    add_output(b)
    b.set_defaults(func=_build)

    pl = sub.add_parser(
        "plan", help="folded networks that fit a board: predicted cost, clock and latency"
    )
    pl.add_argument("kind", metavar="DESIGN", choices=["nwta"], help="nwta")
    pl.add_argument("--board", required=True, choices=list(board_names()), help="target board")
    pl.add_argument("--n", type=positive_int, required=True, help="number of options")
    pl.add_argument("--latency", type=int, default=1, help="inhibition latency in steps (1)")
    pl.add_argument(
        "--trials", type=positive_int, default=20, help="golden trials for the mean steps (20)"
    )
    add_output(pl)
    pl.set_defaults(func=_plan)

    board = sub.add_parser("board", help="talk to a board (or the simulated board top)")
    actions = board.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True
    learners = " or ".join(d.name for d in designs.REGISTRY.values() if d.learns)
    for name, func, text in (
        ("info", _info, "what the board runs: version, Config digest, clock, status"),
        ("status", _status, "run state and the last run's counters"),
        ("abort", _abort, "stop a run and drop its pending results"),
        ("run", _run, "run the design on the board and check it against the golden model"),
        ("read", _read, f"read what the board learned ({learners})"),
    ):
        p = actions.add_parser(name, help=text)
        design_args(p, names)
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
            _run_options(p, designs.REGISTRY.values())
            p.add_argument(
                "--replicas",
                type=positive_int,
                default=1,
                help="copies of the trial engine in the simulated board top (--port sim only)",
            )
        p.set_defaults(func=func)


def _by_design(entries, text) -> str:
    """``text(entry)`` of each design, designs with the same text together:
    "a, b: ...; c: ..."."""
    texts: dict[str, list[str]] = {}
    for d in entries:
        texts.setdefault(text(d), []).append(d.name)
    return "; ".join(f"{', '.join(ds)}: {t}" for t, ds in texts.items())


def _run_options(p, entries):
    """``gaba board run``'s options: the count, the seed and --no-check of every design, and
    the options only some designs take (their board entries' run_options)."""
    entries = list(entries)
    p.add_argument(
        "--trials",
        type=positive_int,
        default=None,
        help="how many: " + _by_design(entries, lambda d: d.count_help),
    )
    add_seed(p)
    p.add_argument(
        "--no-check",
        action="store_true",
        help="do not stream results: " + _by_design(entries, lambda d: d.no_check),
    )
    kinds = {"count": count, "number": number}
    takers: dict[str, list] = {}  # option name -> [(design, RunOption)]
    for d in entries:
        for option in d.run_options:
            takers.setdefault(option.name, []).append((d, option))
    for uses in takers.values():
        option = uses[0][1]
        p.add_argument(
            option.flag,
            type=kinds[option.kind],
            default=None,
            help=_by_design([d for d, _ in uses], lambda d, o=option: o.help),
        )


def _design_config(args, command, step_clocks=lambda n: 1, latency=None):
    """The Config of the options; for a design with clocks per step, ``step_clocks(n)``
    stands in for a --step-clocks not given, and with a one-clock x loop (one clock per step,
    or shared noise) ``latency(n)`` (when given) for a --latency not given."""
    design, cfg = design_config(command, args)
    if "step_clocks" not in design.options:
        return cfg
    if args.step_clocks is None:
        cfg = cfg.replace(step_clocks=step_clocks(cfg.n))
    if latency is not None and args.latency is None and cfg.one_clock_x_loop:
        cfg = cfg.replace(latency=latency(cfg.n))
    return cfg


# gaba build ----------------------------------------------------------------------------------


def _plan(args):
    from gaba.boards.plan import plan

    if args.n < 2:
        raise UsageError("gaba plan: --n must be at least 2 (a folded network has K < n lanes)")
    from gaba.golden.config import Config

    checked("plan", lambda: Config.paper(n=args.n, latency=args.latency))  # before any work
    say = stage(args.quiet or args.json)
    say(f"golden model: mean decision steps of n = {args.n} at delta 0.1 ({args.trials} trials)")
    steps, options = checked(
        "plan", lambda: plan(args.board, args.n, latency=args.latency, trials=args.trials)
    )
    if args.json:
        print(
            json.dumps(
                {
                    "board": args.board,
                    "n": args.n,
                    "latency": args.latency,
                    "mean_decision_steps": steps,
                    "options": [o.to_dict() for o in options],
                }
            )
        )
        return 0
    print(
        f"nWTA n = {args.n} on {args.board}, latency {args.latency}; golden mean {steps:.0f} "
        "steps to decide at delta 0.1"
    )
    print(
        f"{'K':>5}{'LUTs':>8}{'FFs':>8}{'BRAMs':>7}{'DSPs':>6}{'fmax':>7}{'clock':>7}"
        f"{'clk/step':>9}{'latency us':>12}{'decisions/s':>13}  fits"
    )
    for o in options:
        print(
            f"{o.lanes:>5}{o.luts:>8}{o.ffs:>8}{o.brams:>7}{o.dsps:>6}{o.fmax_mhz:>7.1f}"
            f"{o.clock_mhz:>7.1f}{o.clocks_per_step:>9}{o.decision_latency_us:>12.0f}"
            f"{o.decisions_per_second:>13.1f}  {'yes' if o.fits else 'no'}"
        )
    return 0


def _build(args):
    from gaba.boards import build as B
    from gaba.boards import designs
    from gaba.boards.platforms import board

    spec = board(args.board)
    cfg = _design_config(args, "build", spec.step_clocks, spec.latency)
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
            pll_mhz=args.pll_mhz,
            replicas=args.replicas,
            router=args.router,
            design=args.kind,
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
    design = designs.get(args.kind).label(cfg)
    copies = f", {result.replicas} copies" if result.replicas > 1 else ""
    print(f"{result.board} ({result.device}): {design}{copies}, {args.baud} baud")
    print(
        f"  resources   {result.luts} / {avail.get('luts')} {spec.lut_unit}, {result.ffs} FFs, "
        f"{result.brams} / {avail.get('brams')} block RAMs, {result.dsps} / {avail.get('dsps')} "
        "DSPs"
    )
    if result.pll_mhz:
        clock = f"{result.system_mhz:g} MHz from the PLL (board clock {result.clock_mhz:g} MHz)"
    elif result.clock_div > 1:
        clock = f"{result.system_mhz:g} MHz = board clock {result.clock_mhz:g} MHz / "
        clock += str(result.clock_div)
    else:
        clock = f"{result.system_mhz:g} MHz (board clock)"
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
                    args.port,
                    cfg,
                    baud=args.baud,
                    timeout=args.timeout,
                    replicas=getattr(args, "replicas", 1),
                    design=args.kind,
                    progress=say,
                ),
            )
        except BoardError as e:
            raise ToolError(str(e)) from None


def _ask(command, fn):
    """Run ``fn()`` on an open board; a board failure becomes one line and exit status 1, a
    board that runs another Config a usage error of ``command``."""
    from gaba.boards.host import BoardError, ConfigMismatch
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


def _adopt(args) -> tuple[str, ...]:
    """The options a real board's Config takes from what the board was built with (INFO):
    --step-clocks, --latency, --shared-noise, --pipelined and --products where not given;
    none for the simulated board."""
    from gaba.boards.designs.nwta import ADOPTABLE

    if args.port == "sim":
        return ()
    return tuple(f for f in ADOPTABLE if getattr(args, f, None) is None)


def _info(args):
    from gaba.boards import designs

    cfg = _design_config(args, "board")
    with _connect(args, cfg) as board:
        info = _ask("board", board.info)
        status = _ask("board", board.status)
    if _adopt(args):
        cfg = designs.get(args.kind).adopt(cfg, info, _adopt(args))
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
    print(
        f"{args.port}: gaba {info.version}, protocol {info.protocol}, {info.design_text()} "
        f"{info.config_digest} ({match})"
    )
    print(
        f"  clock {info.clock_hz / 1e6:g} MHz, {info.divisor} clocks per bit ({j['baud']} baud), "
        f"result FIFO {info.fifo_depth}; {info.details()}"
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
    else:
        print(f"{args.port}: {_running(status)}; {s.text()}")
    return 0


def _abort(args):
    from gaba.boards import designs

    _query(args, "abort")
    if args.json:
        print(json.dumps({"aborted": True}))
    else:
        after = designs.get(args.kind).after_abort
        print(f"{args.port}: run aborted, result FIFO emptied{after}")
    return 0


def _refuse(command, design, args, entries):
    """One usage error naming the run options given that ``design`` does not take, and the
    designs that take them all."""
    own = {o.name for o in design.run_options}
    wrong = [
        o
        for o in dict.fromkeys(o for d in entries for o in d.run_options)
        if o.name not in own and getattr(args, o.name) is not None
    ]
    if not wrong:
        return
    names = {o.name for o in wrong}
    takers = [d.name for d in entries if names <= {o.name for o in d.run_options}]
    flags = ", ".join(dict.fromkeys(o.flag for o in wrong))
    verb = "is" if len(names) == 1 else "are"
    whose = " and ".join(takers) if takers else "other designs"
    raise UsageError(f"gaba {command}: {flags} {verb} for {whose} only")


def _run(args):
    from gaba.boards import designs

    design = designs.get(args.kind)
    cfg = _design_config(args, "board run")
    _refuse("board run", design, args, list(designs.REGISTRY.values()))
    given = {o.name: getattr(args, o.name) for o in design.run_options}
    options = checked("board run", lambda: design.check_options(cfg, given))
    progress = Progress(
        f"board run {design.describe(cfg)}", enabled=not args.quiet, unit=design.unit
    )
    with _connect(args, cfg) as board:
        run = _ask(
            "board run",
            lambda: design.run(
                board,
                cfg,
                seed=args.seed,
                count=args.trials,
                check=not args.no_check,
                adopt=_adopt(args),
                source=args.port,
                progress=progress,
                **options,
            ),
        )
    print(json.dumps(run.to_json()) if args.json else "\n".join(run.lines()))
    for warning in run.warnings():
        print(f"gaba: {warning}", file=sys.stderr)
    return 0 if run.ok else 1


def _read(args):
    from gaba.boards import designs

    design = designs.get(args.kind)
    if not design.learns:
        learners = ", ".join(d.name for d in designs.REGISTRY.values() if d.learns)
        raise UsageError(f"gaba board read: {args.kind} has no learned weights; use {learners}")
    cfg = _design_config(args, "board read")
    with _connect(args, cfg) as board:
        state = _ask("board read", lambda: design.read(board, cfg, source=args.port))
    print(json.dumps(state.to_json()) if args.json else "\n".join(state.lines()))
    return 0
