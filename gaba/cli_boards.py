"""``gaba build`` and ``gaba board``: bitstreams for the boards, and the host driver.

Registered into gaba.cli's parser by :func:`register`; the conventions are gaba.cli's (one-line
errors, exit 2 for bad input, 1 for a tool or board failure, ``--json``, progress on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

__all__ = ["register"]


def _cli():
    from gaba import cli

    return cli


def _port_help():
    return "serial port of the board (e.g. /dev/ttyUSB1), or 'sim' for the simulated board top"


def _baud(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a baud rate, not {text!r}") from None
    if not 300 <= value <= 12_000_000:
        raise argparse.ArgumentTypeError(f"baud rate must be in 300..12000000, not {text!r}")
    return value


def _seconds(text):
    value = _cli()._number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
    return value


def _mhz(text):
    value = _cli()._number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive frequency in MHz, not {text!r}")
    return value


def _count(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, not {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected an integer in 0..2**32-1, not {text!r}")
    return value


def _say(quiet):
    def say(text):
        if not quiet:
            print(f"  ... {text}", file=sys.stderr, flush=True)

    return say


def _design_config(args, command, step_clocks=lambda n: 1):
    """The Config of the options; ``step_clocks(n)`` stands in for a --step-clocks not given."""
    cli = _cli()
    if args.kind in cli.INTEGRATOR_DESIGNS:
        raise cli.UsageError(f"gaba {command}: {args.kind} has no board top; use nwta or wta")
    params = cli._checked(command, lambda: cli._params(args))
    cfg = cli._checked(command, lambda: cli._config(args, params))
    if args.step_clocks is not None:
        return cfg
    return cfg.replace(step_clocks=step_clocks(cfg.n))


def _board_clocks(args, cfg, info):
    """Without --step-clocks, a real board's Config takes the clocks per step it was built with."""
    if args.step_clocks is None and args.port != "sim" and 1 <= info.step_clocks <= 8:
        return cfg.replace(step_clocks=info.step_clocks)
    return cfg


# gaba build ----------------------------------------------------------------------------------


def _cmd_build(args):
    from gaba.boards import build as B

    cli = _cli()
    cfg = _design_config(args, "build", B.board(args.board).step_clocks)
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
            progress=_say(args.quiet),
        )
    except ValueError as e:
        raise cli.UsageError(f"gaba build: {e}") from None
    except B.BuildError as e:
        raise cli.ToolError(str(e)) from None
    j = result.to_json()
    if args.json:
        print(json.dumps(j))
        return 0
    avail = result.available
    cp = result.critical_path or {}
    meets = "met" if result.fmax_mhz >= result.target_mhz else "missed"
    unit = "logic cells" if B.board(args.board).family == "ice40" else "LUT4s"
    print(
        f"{result.board} ({result.device}): {cfg.kind} n={cfg.n}, Config {cfg.digest()}, "
        f"latency {cfg.latency}, {args.baud} baud"
    )
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


class _Link:
    """The transport and protocol session of one ``gaba board`` command."""

    def __init__(self, args, cfg):
        from gaba.boards.host import Board, BoardError, SerialTransport

        cli = _cli()
        if args.port == "sim":
            from gaba.boards.simboard import SimTransport
            from gaba.sim import runner

            try:
                self.transport = SimTransport(cfg, progress=_say(args.quiet))
            except (runner.ToolchainError, runner.SimulationError) as e:
                raise cli.ToolError(str(e)) from None
        else:
            try:
                self.transport = SerialTransport(args.port, args.baud)
            except BoardError as e:
                raise cli.ToolError(str(e)) from None
        self.board = Board(self.transport, timeout=args.timeout)

    def __enter__(self):
        return self.board

    def __exit__(self, *exc):
        self.transport.close()


def _board_call(fn):
    """Run ``fn()``; a board failure becomes one line and exit status 1."""
    from gaba.boards.host import BoardError
    from gaba.sim import runner

    cli = _cli()
    try:
        return fn()
    except BoardError as e:
        raise cli.ToolError(f"board: {e}") from None
    except runner.SimulationError as e:
        raise cli.ToolError(str(e)) from None


def _info_json(info, cfg):
    return {
        "protocol": info.protocol,
        "version": info.version,
        "kind": info.kind,
        "n": info.n,
        "config_digest": info.config_digest,
        "config_matches": info.config_digest == cfg.digest(),
        "result_bits": info.result_bits,
        "max_steps": info.max_steps,
        "clock_hz": info.clock_hz,
        "divisor": info.divisor,
        "baud": round(info.baud),
        "fifo_depth": info.fifo_depth,
        "latency": info.latency,
        "step_clocks": info.step_clocks,
    }


def _cmd_board_info(args):
    cfg = _design_config(args, "board")
    with _Link(args, cfg) as board:
        info = _board_call(board.info)
        status = _board_call(board.status)
    cfg = _board_clocks(args, cfg, info)
    j = {**_info_json(info, cfg), "status": vars(status)}
    if args.json:
        print(json.dumps(j))
        return 0
    match = "matches" if j["config_matches"] else f"differs from these options' {cfg.digest()}"
    print(
        f"{args.port}: gaba {info.version}, protocol {info.protocol}, {info.kind} n={info.n}, "
        f"Config {info.config_digest} ({match})"
    )
    print(
        f"  clock {info.clock_hz / 1e6:g} MHz, {info.divisor} clocks per bit ({j['baud']} baud), "
        f"latency {info.latency}, {info.step_clocks} clock(s) per step, result FIFO "
        f"{info.fifo_depth}, max_steps {info.max_steps}"
    )
    print(
        f"  status: {'running' if status.busy else 'idle'}, {status.results} results in the "
        f"last run, {status.fifo_level} waiting, {status.bad_frames} bad frames"
    )
    return 0


def _cmd_board_status(args):
    cfg = _design_config(args, "board")
    with _Link(args, cfg) as board:
        status = _board_call(board.status)
        summary = _board_call(board.summary)
    j = {**vars(status), "summary": vars(summary)}
    if args.json:
        print(json.dumps(j))
        return 0
    print(
        f"{args.port}: {'running' if status.busy else 'idle'}; last run: {summary.trials} "
        f"trials, {summary.decided} decided, {summary.correct} correct, {summary.saturated} "
        f"saturated, {summary.steps} steps, {summary.run_cycles} cycles"
    )
    return 0


def _cmd_board_abort(args):
    cfg = _design_config(args, "board")
    with _Link(args, cfg) as board:
        _board_call(board.abort)
    if args.json:
        print(json.dumps({"aborted": True}))
    else:
        print(f"{args.port}: run aborted, result FIFO emptied")
    return 0


def _cmd_board_run(args):
    from gaba.boards.host import check_run

    cli = _cli()
    cfg = _design_config(args, "board run")
    delta_q = None
    if args.delta_in is not None:
        delta_q = round(args.delta_in * 2**cfg.frac_bits)
        if not 0 <= delta_q <= cfg.x_max:
            raise cli.UsageError(
                f"gaba board run: --delta-in must lie in 0..{cfg.x_max / 2**cfg.frac_bits:g}, "
                f"not {args.delta_in}"
            )
    if args.top is not None and args.top >= cfg.n:
        raise cli.UsageError(f"gaba board run: --top must be below n = {cfg.n}, not {args.top}")
    quiet = args.quiet
    with _Link(args, cfg) as board:
        info = _board_call(board.info)
        cfg = _board_clocks(args, cfg, info)
        if info.config_digest != cfg.digest():
            raise cli.UsageError(
                f"gaba board run: the board runs {info.kind} n={info.n}, Config "
                f"{info.config_digest}; these options give Config {cfg.digest()} (pass the "
                "options the bitstream was built with)"
            )
        start = time.monotonic()
        _board_call(
            lambda: board.start(
                args.seed,
                args.first,
                args.trials,
                top=args.top,
                delta_q=delta_q,
                stream=not args.no_check,
            )
        )
        progress = cli.Progress(f"board run {cfg.kind} n={cfg.n}", enabled=not quiet)
        if args.no_check:
            _board_call(lambda: board.wait_idle(args.timeout * max(args.trials, 1)))
            results = []
        else:
            results = _board_call(lambda: board.results(args.trials, progress=progress))
        summary = _board_call(board.summary)
        seconds = time.monotonic() - start
    j = {
        "port": args.port,
        "config_digest": info.config_digest,
        "clock_hz": info.clock_hz,
        "summary": vars(summary),
        "run_seconds": round(seconds, 3),
    }
    report = None
    if results:
        report = check_run(
            cfg,
            results,
            seed=args.seed,
            first=args.first,
            top=args.top,
            delta_q=delta_q,
            source=args.port,
        )
        j = {**report.to_json(), **j}
    else:
        j = {"bit_exact": None, "trials": args.trials, **j}
    if args.json:
        print(json.dumps(j))
    else:
        s = summary
        print(
            f"{cfg.kind} n={cfg.n} on {args.port} (Config {info.config_digest}): "
            f"{args.trials} trials from {args.first}, seed {args.seed}"
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
        print(f"  host       {seconds:.2f} s")
    ok = report is None or report.bit_exact
    counted = summary.trials == args.trials
    if not counted:
        print(
            f"gaba: the board counted {summary.trials} trials, expected {args.trials}",
            file=sys.stderr,
        )
    return 0 if ok and counted else 1


# registration --------------------------------------------------------------------------------


def register(sub) -> None:
    """Add ``build`` and ``board`` to gaba.cli's subparsers."""
    from gaba.boards.build import DEFAULT_BAUD, board_names

    cli = _cli()
    designs = ("nwta", "wta")

    b = sub.add_parser("build", help="bitstream for a board (YoWASP), with resources and fmax")
    cli._network_args(b, designs=designs)
    b.add_argument("--board", required=True, choices=list(board_names()), help="target board")
    b.add_argument("--out", default=None, help="build folder (default under build/boards/)")
    b.add_argument(
        "--target-mhz",
        type=_mhz,
        default=None,
        help="clock constraint for place and route (default 3x the board clock)",
    )
    b.add_argument("--baud", type=_baud, default=DEFAULT_BAUD, help="UART baud rate (115200)")
    b.add_argument(
        "--clock-div",
        type=cli._positive_int,
        default=None,
        help="run the design at the board clock divided by this (board default: 2)",
    )
    b.add_argument(
        "--dsp",
        choices=["auto", "yes", "no"],
        default="auto",
        help="multipliers in DSP blocks (auto: where the board allows and they fit)",
    )
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.add_argument("--quiet", action="store_true", help="no progress on stderr")
    b.set_defaults(func=_cmd_build)

    board = sub.add_parser("board", help="talk to a board (or the simulated board top)")
    actions = board.add_subparsers(dest="action", metavar="ACTION", parser_class=cli._Parser)
    actions.required = True
    for name, func, text in (
        ("info", _cmd_board_info, "what the board runs: version, Config digest, clock, status"),
        ("status", _cmd_board_status, "run state and the last run's counters"),
        ("abort", _cmd_board_abort, "stop a run and drop its pending results"),
        ("run", _cmd_board_run, "run trials on the board and check them against the golden model"),
    ):
        p = actions.add_parser(name, help=text)
        cli._network_args(p, designs=designs)
        p.add_argument("--port", required=True, help=_port_help())
        p.add_argument("--baud", type=_baud, default=DEFAULT_BAUD, help="baud rate (115200)")
        p.add_argument(
            "--timeout", type=_seconds, default=2.0, help="seconds to wait for a reply (2)"
        )
        p.add_argument("--json", action="store_true", help="print one JSON object")
        p.add_argument("--quiet", action="store_true", help="no progress on stderr")
        if name == "run":
            p.add_argument("--trials", type=cli._positive_int, default=100, help="trials (100)")
            p.add_argument("--seed", type=cli._seed, default=1, help="run seed (default 1)")
            p.add_argument("--first", type=_count, default=0, help="index of the first trial (0)")
            p.add_argument(
                "--top", type=_count, default=None, help="top-input option of every trial"
            )
            p.add_argument(
                "--delta-in",
                type=cli._number,
                default=None,
                help="input gap set by the host for every trial (units of b_max)",
            )
            p.add_argument(
                "--no-check",
                action="store_true",
                help="do not stream results (counters only; no golden comparison)",
            )
        p.set_defaults(func=func)
