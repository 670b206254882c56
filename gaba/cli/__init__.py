"""The ``gaba`` command line: a thin shell over gaba.golden, gaba.hdl, gaba.sim and gaba.boards.

Every command validates its arguments and answers bad input with one line on stderr and exit
status 2, never a traceback. Long runs show progress on stderr; ``--json`` prints one JSON
object on stdout and nothing else there.

One module per command group registers its subcommands (``register(sub)``) and holds their
functions: golden, demo, verilog, export, compare, sweep, report, foldiak, htm, maass, board
(build and board); what they share is in :mod:`gaba.cli.common`. The command modules import
common and the layers below, never each other nor this package.
"""

from __future__ import annotations

import functools
import sys
import warnings

from gaba.cli import (
    board,
    common,
    compare,
    demo,
    export,
    foldiak,
    golden,
    htm,
    maass,
    report,
    sweep,
    verilog,
)

__all__ = ["main"]

#: The command groups, in the order ``gaba --help`` lists them.
COMMANDS = (golden, demo, verilog, export, compare, sweep, report, foldiak, htm, maass, board)


def parser() -> common.Parser:
    """The ``gaba`` argument parser, every command group's subcommands registered."""
    top = common.Parser(prog="gaba", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=common.Parser)
    sub.required = True
    for module in COMMANDS:
        module.register(sub)
    return top


@functools.cache
def _main_parser() -> common.Parser:
    """The parser :func:`main` parses with, built once per process (a build takes some 20 ms;
    parsing changes nothing in it). :func:`parser` builds a new one."""
    return parser()


def _warning_line(message, category, filename, lineno, file=None, line=None):
    print(f"gaba: warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run ``gaba`` with ``argv`` (default: the command line); the exit status."""
    from gaba.golden.config import ConfigWarning

    try:
        args = _main_parser().parse_args(argv)
        with warnings.catch_warnings():
            warnings.simplefilter("always", ConfigWarning)
            warnings.showwarning = _warning_line
            return args.func(args)
    except common.UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
    except common.ToolError as e:
        print(f"gaba: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # an output path that cannot be written, a full disk, ...
        print(f"gaba: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gaba: interrupted", file=sys.stderr)
        return 130
