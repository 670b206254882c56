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
    """The Config of the options (a FoldiakConfig for foldiak); ``step_clocks(n)`` stands in
    for a --step-clocks not given."""
    cli = _cli()
    if args.kind == "foldiak":
        return cli._foldiak_config(command, args)
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


class _Link:
    """The transport and protocol session of one ``gaba board`` command."""

    def __init__(self, args, cfg):
        from gaba.boards.host import Board, BoardError, FoldiakBoard, SerialTransport

        cli = _cli()
        if args.port == "sim":
            from gaba.boards.simboard import SimTransport
            from gaba.sim import runner

            try:
                self.transport = SimTransport(cfg, progress=_say(args.quiet))
            except (runner.ToolchainError, runner.SimulationError) as e:
                raise cli.ToolError(str(e)) from None
            except ValueError as e:  # a design its board top cannot carry
                raise cli.UsageError(f"gaba board: {e}") from None
        else:
            try:
                self.transport = SerialTransport(args.port, args.baud)
            except BoardError as e:
                raise cli.ToolError(str(e)) from None
        if args.kind == "foldiak":
            self.board = FoldiakBoard(self.transport, cfg, timeout=args.timeout)
        else:
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
    """INFO's fields (protocol.Info or protocol.FoldiakInfo), whether the Config matches, the
    baud rate."""
    return {
        **vars(info),
        "config_matches": info.config_digest == cfg.digest(),
        "baud": round(info.baud),
    }


def _cmd_board_info(args):
    cfg = _design_config(args, "board")
    with _Link(args, cfg) as board:
        info = _board_call(board.info)
        status = _board_call(board.status)
    foldiak = args.kind == "foldiak"
    if not foldiak:
        cfg = _board_clocks(args, cfg, info)
    j = {**_info_json(info, cfg), "status": vars(status)}
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
    if args.kind == "foldiak":
        s = summary
        print(
            f"{args.port}: {'busy' if status.busy else 'idle'}; run: {s.presentations} "
            f"presentations, w_sat {_yes(s.w_sat)}, t_sat {_yes(s.t_sat)}; last command: "
            f"{s.results} results, {s.run_cycles} cycles"
        )
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
        again = " (F_INIT starts a new run)" if args.kind == "foldiak" else ""
        print(f"{args.port}: run aborted, result FIFO emptied{again}")
    return 0


def _cmd_board_run(args):
    from gaba.boards.host import check_run

    cli = _cli()
    cfg = _design_config(args, "board run")
    if args.kind == "foldiak":
        return _foldiak_run(args, cfg)
    _refuse(args, "board run", {"--tests": args.tests, "--run": args.run}, "foldiak")
    trials = 100 if args.trials is None else args.trials
    first = 0 if args.first is None else args.first
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
                first,
                trials,
                top=args.top,
                delta_q=delta_q,
                stream=not args.no_check,
            )
        )
        progress = cli.Progress(f"board run {cfg.kind} n={cfg.n}", enabled=not quiet)
        if args.no_check:
            _board_call(lambda: board.wait_idle(args.timeout * max(trials, 1)))
            results = []
        else:
            results = _board_call(lambda: board.results(trials, progress=progress))
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
            first=first,
            top=args.top,
            delta_q=delta_q,
            source=args.port,
        )
        j = {**report.to_json(), **j}
    else:
        j = {"bit_exact": None, "trials": trials, **j}
    if args.json:
        print(json.dumps(j))
    else:
        s = summary
        print(
            f"{cfg.kind} n={cfg.n} on {args.port} (Config {info.config_digest}): "
            f"{trials} trials from {first}, seed {args.seed}"
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
    counted = summary.trials == trials
    if not counted:
        print(
            f"gaba: the board counted {summary.trials} trials, expected {trials}",
            file=sys.stderr,
        )
    return 0 if ok and counted else 1


# gaba board ... foldiak -----------------------------------------------------------------------


def _yes(flag) -> str:
    return "yes" if flag else "no"


def _refuse(args, command, given: dict, design: str):
    """One usage error naming the options (given: option -> value, None if not given) that
    only ``design`` takes."""
    wrong = [name for name, value in given.items() if value is not None]
    if wrong:
        raise _cli().UsageError(
            f"gaba {command}: {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} "
            f"for {design} only"
        )


def _check_digest(command, cfg, info):
    if info.config_digest != cfg.digest():
        raise _cli().UsageError(
            f"gaba {command}: the board runs foldiak m={info.m} n={info.n}, FoldiakConfig "
            f"{info.config_digest}; these options give {cfg.digest()} (pass the options the "
            "bitstream was built with)"
        )


def _foldiak_run(args, cfg):
    """F_INIT, F_TRAIN (streamed unless --no-check), the state read back, F_TEST; all of it
    held to the golden model."""
    from gaba.boards.host import check_foldiak

    cli = _cli()
    _refuse(
        args,
        "board run",
        {"--first": args.first, "--top": args.top, "--delta-in": args.delta_in},
        "nwta and wta",
    )
    presentations = cfg.pre_presentations + 100 if args.trials is None else args.trials
    tests = 100 if args.tests is None else args.tests
    run = args.run or 0
    stream = not args.no_check
    with _Link(args, cfg) as board:
        info = _board_call(board.info)
        _check_digest("board run", cfg, info)
        start = time.monotonic()
        _board_call(lambda: board.init(args.seed, run))
        progress = cli.Progress(
            f"board run foldiak n={cfg.n}", enabled=not args.quiet, unit="presentations"
        )
        train = _board_call(lambda: board.train(presentations, stream=stream, progress=progress))
        state = _board_call(board.state)
        test = _board_call(lambda: board.test(tests)) if tests else None
        summary = _board_call(board.summary)
        seconds = time.monotonic() - start
    report = check_foldiak(
        cfg,
        seed=args.seed,
        run=run,
        presentations=presentations,
        train=train if stream else None,
        state=state,
        test=test,
        source=args.port,
    )
    j = {
        **report.to_json(),
        "port": args.port,
        "config_digest": info.config_digest,
        "clock_hz": info.clock_hz,
        "streamed": stream,
        "summary": vars(summary),
        "run_seconds": round(seconds, 3),
    }
    if args.json:
        print(json.dumps(j))
    else:
        what = "every presentation's y*, bars, index and flags; " if stream else ""
        verdict = "BIT-EXACT" if report.bit_exact else f"MISMATCH ({report.mismatches} values)"
        print(
            f"foldiak m={cfg.m} n={cfg.n} on {args.port} (FoldiakConfig {info.config_digest}): "
            f"run {run} of seed {args.seed}, {presentations} presentations (pre-run "
            f"{cfg.pre_presentations} included), {tests} test patterns"
        )
        print(
            f"  results    {verdict} against the golden model: {what}q, w, t read back"
            f"{'; the test patterns' if tests else ''} ({report.values_compared} values)"
        )
        if report.first_mismatch is not None:
            print(f"  first      {report.first_mismatch.describe()}")
        s = summary
        print(
            f"  counters   {s.presentations} presentations, w_sat {_yes(s.w_sat)}, t_sat "
            f"{_yes(s.t_sat)}; the last command: {s.results} results in {s.run_cycles} cycles "
            f"= {s.run_cycles / info.clock_hz * 1e6:.1f} us at {info.clock_hz / 1e6:g} MHz"
        )
        print(f"  host       {seconds:.2f} s")
    return 0 if report.bit_exact else 1


def _cmd_board_read(args):
    cli = _cli()
    if args.kind != "foldiak":
        raise cli.UsageError(f"gaba board read: {args.kind} has no learned weights; use foldiak")
    cfg = _design_config(args, "board read")
    with _Link(args, cfg) as board:
        info = _board_call(board.info)
        _check_digest("board read", cfg, info)
        state = _board_call(board.state)
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


# registration --------------------------------------------------------------------------------


def register(sub) -> None:
    """Add ``build`` and ``board`` to gaba.cli's subparsers."""
    from gaba.boards.build import DEFAULT_BAUD, board_names

    cli = _cli()
    designs = ("nwta", "wta", "foldiak")

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
        ("read", _cmd_board_read, "read the Foldiak layer's learned q, w and t"),
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
            p.add_argument(
                "--trials",
                type=cli._positive_int,
                default=None,
                help="trials (100); foldiak: training presentations, the pre-run included "
                "(pre-run + 100)",
            )
            p.add_argument(
                "--tests", type=_count, default=None, help="foldiak: test patterns after (100)"
            )
            p.add_argument("--run", type=_count, default=None, help="foldiak: run index (0)")
            p.add_argument("--seed", type=cli._seed, default=1, help="run seed (default 1)")
            p.add_argument(
                "--first", type=_count, default=None, help="index of the first trial (0)"
            )
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
                help="do not stream results (counters only; no golden comparison); foldiak: "
                "the training results are not streamed, the state and tests still checked",
            )
        p.set_defaults(func=func)
