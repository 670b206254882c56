"""``gaba verilog DESIGN``: standalone Verilog of any design of the registry for its Config."""

from __future__ import annotations

from gaba.cli.common import UsageError, design_args, design_config, write_output

__all__ = ["register"]


def register(sub) -> None:
    from gaba.sim import designs

    v = sub.add_parser("verilog", help="standalone Verilog of a design for a Config")
    design_args(v, designs.names())
    v.add_argument("--debug", action="store_true", help="add the lockstep debug ports")
    v.add_argument("-o", default=None, help="output file, '-' for stdout (default under build/)")
    v.set_defaults(func=_verilog)


def _verilog(args):
    design, cfg = design_config("verilog", args)
    if args.debug and not design.debug:
        raise UsageError(f"gaba verilog: {design.name} has no debug ports; drop --debug")
    path = write_output(args.o, design.file_name(cfg), design.verilog(cfg, debug=args.debug))
    if path:
        print(f"wrote {path}: module {design.module}, {design.describe(cfg)}")
    return 0
