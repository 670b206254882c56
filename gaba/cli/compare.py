"""``gaba compare {nwta,wta,foldiak}``: the generated hardware on a simulator against the
golden model, lockstep (the whole state every clock) or whole trials."""

from __future__ import annotations

import json

from gaba.cli.common import (
    UsageError,
    add_output,
    add_seed,
    checked,
    config,
    fmt,
    foldiak_config,
    network_args,
    params,
    positive_int,
    simulator_errors,
    stage,
)

__all__ = ["register"]


def register(sub) -> None:
    c = sub.add_parser("compare", help="simulate the hardware and compare with the golden model")
    network_args(c, designs=("nwta", "wta", "foldiak"))
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
        type=positive_int,
        default=None,
        help="trials (default 200 in trials mode, 1 in lockstep)",
    )
    add_seed(c)
    c.add_argument("--waves", action="store_true", help="dump a waveform of the run")
    add_output(c)
    c.set_defaults(func=_compare)


def _compare(args):
    report, text = _foldiak(args) if args.kind == "foldiak" else _network(args)
    j = report.to_json()
    print(json.dumps(j) if args.json else "\n".join(text(j)))
    return 0 if report.bit_exact else 1


def _network(args):
    """nWTA or WTA on the simulator: the report, and its text from its JSON."""
    trials = args.trials or (1 if args.mode == "lockstep" else 200)
    network = checked("compare", lambda: params(args))
    cfg = checked("compare", lambda: config(args, network))
    from gaba.sim import compare

    with simulator_errors():
        report = compare.compare(
            cfg,
            args.simulator,
            args.mode,
            trials=trials,
            seed=args.seed,
            waves=args.waves,
            progress=stage(args.quiet),
        )

    def text(j):
        verdict = "bit-exact" if report.bit_exact else "MISMATCH"
        yield (
            f"{cfg.kind} n={cfg.n} on {args.simulator}, {args.mode} mode, {trials} "
            f"trials (seed {args.seed}): {verdict}"
        )
        yield (
            f"  compared        {j['cycles_compared']} "
            f"{'cycles' if args.mode == 'lockstep' else 'trial results'}, "
            f"{j['mismatches']} mismatching values"
        )
        yield (
            f"  simulation      {int(j['sim_cycles'])} cycles in {j['sim_seconds']:.2f} s "
            f"({j['cycles_per_second']:.0f} cycles/s); build {j['build_seconds']:.1f} s"
        )
        yield (
            f"  decisions       {100 * j['decided_fraction']:.1f} % decided, mean "
            f"{fmt(j['mean_decision_cycles'], None, 1)} cycles (Euler steps"
            + (f", {j['step_clocks']} clocks each)" if j["step_clocks"] > 1 else ")")
        )
        if report.first_mismatch is not None:
            yield f"  first mismatch  {report.first_mismatch.describe()}"
        if report.waveform:
            yield f"  waveform        {report.waveform}"

    return report, text


def _foldiak(args):
    """The Földiák layer on the simulator: the report, and its text from its JSON."""
    from gaba.sim.compare_foldiak import compare_foldiak

    cfg = foldiak_config("compare", args)
    mode = "lockstep" if args.mode == "lockstep" else "run"
    presentations = args.trials or cfg.pre_presentations + (10 if mode == "lockstep" else 3000)
    tests = 10 if mode == "lockstep" else 1000
    if mode == "run" and presentations < cfg.pre_presentations:
        raise UsageError(
            f"gaba compare: a foldiak run needs at least the {cfg.pre_presentations} "
            "presentations of the threshold pre-run (--trials), or --mode lockstep"
        )
    with simulator_errors():
        report = compare_foldiak(
            cfg,
            args.simulator,
            mode,
            presentations=presentations,
            tests=tests,
            seed=args.seed,
            waves=args.waves,
            progress=stage(args.quiet),
        )

    def text(j):
        verdict = "bit-exact" if report.bit_exact else "MISMATCH"
        what = "after every presentation" if mode == "lockstep" else "results and final state"
        yield (
            f"foldiak ({cfg.m} inputs, {cfg.n} units) on {args.simulator}, {mode}: "
            f"{presentations} training presentations and {tests} test patterns (seed "
            f"{args.seed}): {verdict}"
        )
        yield (
            f"  compared        {j['values_compared']} values ({what}), {j['mismatches']} "
            "mismatching"
        )
        rate = j["sim_cycles"] / j["sim_seconds"] if j["sim_seconds"] else 0
        yield (
            f"  simulation      {j['sim_cycles']} cycles in {j['sim_seconds']:.2f} s ({rate:.0f} "
            f"cycles/s); build {j['build_seconds']:.1f} s"
        )
        if report.first_mismatch is not None:
            yield f"  first mismatch  {report.first_mismatch.describe()}"

    return report, text
