"""``gaba verilog``: standalone Verilog of the trial engine for any Config, of the Földiák
layer, or of an integrator baseline."""

from __future__ import annotations

from gaba.cli.common import (
    INTEGRATOR_DESIGNS,
    UsageError,
    checked,
    config,
    engine_verilog,
    foldiak_config,
    network_args,
    params,
    write_output,
)

__all__ = ["register"]


def register(sub) -> None:
    v = sub.add_parser("verilog", help="standalone Verilog of the trial engine for a Config")
    network_args(v, designs=("nwta", "wta", "foldiak", *INTEGRATOR_DESIGNS))
    v.add_argument("--debug", action="store_true", help="add the lockstep debug ports")
    v.add_argument("-o", default=None, help="output file, '-' for stdout (default under build/)")
    v.set_defaults(func=_verilog)


def _verilog(args):
    if args.kind == "foldiak":
        return _foldiak(args)
    network = checked("verilog", lambda: params(args))
    cfg = checked("verilog", lambda: config(args, network))
    if args.kind in INTEGRATOR_DESIGNS:
        if args.debug or args.latency or args.step_clocks not in (None, 1):
            raise UsageError(
                f"gaba verilog: {args.kind} has no debug ports, no inhibition latency and "
                "one clock per step; drop --debug, --latency and --step-clocks"
            )
        return _integrator(args, cfg)
    path = engine_verilog(cfg, args.o, debug=args.debug)
    if path:
        print(f"wrote {path}: module gaba_nwta, {cfg.kind} n={cfg.n} (ports documented at the top)")
    return 0


def _integrator(args, cfg):
    from gaba.sim.runner import BASELINES, verilog_text

    design = BASELINES[args.kind]
    text = (
        f"// gaba {args.kind}: n = {cfg.n}, Config {cfg.digest()}; per trial: winner, top, "
        f"cycles (gaba.golden.baselines)\n" + verilog_text(cfg, design=design)
    )
    path = write_output(args.o, f"{design.name}_n{cfg.n}.v", text)
    if path:
        print(f"wrote {path}: module {design.name}, n={cfg.n}")
    return 0


def _foldiak(args):
    from gaba.hdl.foldiak import cycles_per_presentation
    from gaba.sim.runner import FOLDIAK, verilog_text

    cfg = foldiak_config("verilog", args)
    if args.debug:
        raise UsageError(
            "gaba verilog: foldiak reads its state back through its ports; drop --debug"
        )
    text = (
        f"// gaba foldiak: {cfg.m} inputs, {cfg.n} units, FoldiakConfig {cfg.digest()}; "
        f"{cycles_per_presentation(cfg)} clocks per training presentation (gaba.hdl.foldiak)\n"
        + verilog_text(cfg)
    )
    path = write_output(args.o, f"gaba_foldiak_n{cfg.n}.v", text)
    if path:
        print(f"wrote {path}: module {FOLDIAK.name}, {cfg.m} inputs, {cfg.n} units")
    return 0
