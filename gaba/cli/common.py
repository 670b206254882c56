"""What every ``gaba`` command shares: its errors, parser, argument types, progress and output.

Bad input is a :class:`UsageError` (one line on stderr, exit status 2), a missing or failing
tool a :class:`ToolError` (one line with the remedy, exit status 1); :class:`Parser` turns
argparse's own errors into usage errors. The network options and their Config are here too:
golden, verilog, compare, sweep, build and board take them alike.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
import time
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "Parser",
    "Progress",
    "ToolError",
    "UsageError",
    "add_output",
    "add_pool",
    "add_seed",
    "checked",
    "config",
    "design_args",
    "design_config",
    "count",
    "fmt",
    "n_grid",
    "network_args",
    "number",
    "number_grid",
    "params",
    "pool",
    "positive",
    "positive_int",
    "seed",
    "simulator_errors",
    "stage",
    "write_json",
    "write_output",
]


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class ToolError(Exception):
    """A tool is missing or failed: reported as one line with the remedy, exit status 1."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (a UsageError), not usage and message."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def checked(command: str, build):
    """Call ``build()``; a ValueError (invalid parameters) becomes a one-line usage error."""
    try:
        return build()
    except ValueError as e:
        raise UsageError(f"gaba {command}: {e}") from None


@contextmanager
def simulator_errors():
    """A missing simulator or a failed build or simulation becomes one line, exit status 1."""
    from gaba.sim import runner
    from gaba.sim.pool import PoolError

    try:
        yield
    except (runner.ToolchainError, runner.SimulationError, PoolError) as e:
        raise ToolError(str(e)) from None


# argument types ----------------------------------------------------------------------------


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


def _word(text, noun, out_of_range):
    """An integer in 0..2**32-1 (decimal, 0x..., 0o..., 0b...)."""
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {noun}, not {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{out_of_range}, not {text!r}")
    return value


def seed(text):
    return _word(text, "an integer seed", "seed must be in 0..2**32-1")


def count(text):
    return _word(text, "an integer", "expected an integer in 0..2**32-1")


def number(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, not {text!r}")
    return value


def positive(what: str):
    """The argument type of a positive number; ``what`` names it in the error
    ("number of seconds")."""

    def parse(text):
        value = number(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive {what}, not {text!r}")
        return value

    return parse


def number_grid(text):
    values = []
    for part in (v.strip() for v in text.split(",")):
        if part:
            values.append(number(part))
    if not values:
        raise argparse.ArgumentTypeError(f"expected numbers like 0.05,0.1, not {text!r}")
    return values


def n_grid(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 2,4,8, not {text!r}"
        ) from None
    if not values or any(v < 2 for v in values):
        raise argparse.ArgumentTypeError(f"every n must be at least 2, not {text!r}")
    return values


def add_seed(p) -> None:
    p.add_argument("--seed", type=seed, default=1, help="run seed (default 1)")


def add_output(p) -> None:
    """--json and --quiet."""
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def add_pool(p, *, block: str | None = None) -> None:
    """--scheduler and --workers (where the command's tasks run: gaba.sim.pool), and with
    ``block`` (what a task's share is counted in) --block."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the tasks on the Dask scheduler at ADDRESS (tcp://host:8786) and its workers",
    )
    where.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="run the tasks on a local Dask cluster of N worker processes",
    )
    if block:
        p.add_argument(
            "--block",
            type=positive_int,
            metavar="K",
            help=f"{block} per task (default: whole points, split so that every worker has work)",
        )


@contextmanager
def pool(args):
    """The Pool of ``--scheduler`` / ``--workers`` (this process with neither), closed after;
    an unreachable scheduler or a worker without the toolchain is one line, exit status 1."""
    from gaba.sim.pool import open_pool

    with simulator_errors():
        opened = open_pool(args.scheduler, args.workers)
    with opened:
        yield opened


# the network's options and Config ----------------------------------------------------------


def network_args(p, *, with_n=True, delta=0.05, grids=False):
    """The nWTA / WTA network's options (gaba golden and gaba sweep, which run the network's
    models themselves); ``grids``: --delta and --sigma take comma-separated grids."""
    p.add_argument("kind", choices=["nwta", "wta"], help="design: nwta, wta")
    if with_n:
        p.add_argument(
            "--n", type=positive_int, default=None, help="number of options (default 10)"
        )
    kind, each = (number_grid, ": a value or a comma-separated grid") if grids else (number, "")
    for name, default, what in (("delta", delta, "input gap"), ("sigma", 0.22, "noise std")):
        p.add_argument(
            f"--{name}",
            type=kind,
            default=[default] if grids else default,
            help=f"{what}{each} (default {default})",
        )
    p.add_argument("--theta", type=number, default=0.2, help="nWTA gate (default 0.2)")
    p.add_argument("--dt", type=number, default=2.0**-7, help="Euler step in tau (2**-7)")
    p.add_argument("--horizon", type=number, default=200.0, help="timeout in tau (200)")
    p.add_argument("--latency", type=int, default=0, help="inhibition latency in steps (0)")
    p.add_argument("--frac-bits", type=int, default=12, help="fractional bits (default 12)")
    p.add_argument(
        "--x-guard-bits",
        type=int,
        default=7,
        help="guard bits of the x register below x's LSB (default 7)",
    )
    p.add_argument(
        "--step-clocks",
        type=int,
        default=None,
        help="clocks per Euler step in hardware, 1 to 8: more give a higher fmax and the same "
        "results (default 1; gaba build: the board's default; gaba board: the board's)",
    )


def params(args):
    """The NetworkParams of the network options."""
    from gaba.golden.params import NetworkParams

    return NetworkParams(
        kind=args.kind,
        n=10 if args.n is None else args.n,
        delta=args.delta,
        sigma=args.sigma,
        theta=args.theta,
        dt=args.dt,
        horizon=args.horizon,
        latency=args.latency,
    )


def config(args, network_params):
    """The Config of ``network_params`` with --frac-bits, --x-guard-bits and --step-clocks
    (default 1)."""
    from gaba.golden.config import Config

    clocks = 1 if args.step_clocks is None else args.step_clocks
    return Config(
        params=network_params,
        frac_bits=args.frac_bits,
        x_guard_bits=args.x_guard_bits,
        step_clocks=clocks,
    )


def design_args(p, names) -> None:
    """The positional design (one of ``names``, from the design registry) and every Config
    option those designs take (``--n``, ``--delta``, ...); an option not given keeps the
    design's own default, one the chosen design does not take is refused
    (:func:`design_config`)."""
    from gaba.sim import designs

    p.add_argument("kind", metavar="DESIGN", choices=list(names), help="one of " + ", ".join(names))
    uses: dict[str, list] = {}
    for d in map(designs.get, names):
        defaults = _defaults(d.name)
        for name, what in d.options.items():
            uses.setdefault(name, []).append((d.name, what, defaults[name]))
    for name, entries in uses.items():
        value = entries[0][2]
        flag = f"--{name.replace('_', '-')}"
        what = "; ".join(sorted({w for _, w, _ in entries}))
        if isinstance(value, bool):  # a switch: given (True) or the design's default
            p.add_argument(flag, action="store_const", const=True, default=None, help=what)
            continue
        if name == "products":
            from gaba.golden.config import PRODUCTS

            p.add_argument(flag, choices=PRODUCTS, default=None, help=f"{what} (default {value})")
            continue
        integral = name in ("n", "lanes") or isinstance(value, int)
        kind = positive_int if name in ("n", "lanes") else int if integral else number
        texts = {}
        for design, what, default in entries:
            shown = "" if default is None else f" (default {default:g})"
            texts.setdefault(f"{what}{shown}", []).append(design)
        if len(texts) == 1:
            (text,) = texts
        else:
            text = "; ".join(f"{', '.join(ds)}: {what}" for what, ds in texts.items())
        p.add_argument(flag, type=kind, default=None, help=text)


@functools.cache
def _defaults(name: str) -> dict:
    """Design ``name``'s default Config as a dict: the same for every parser built (the
    parser of each ``main`` call names every design's defaults in its help)."""
    from gaba.sim import designs

    return designs.get(name).config().to_dict()


def design_config(command: str, args):
    """(design, Config) of the design named by ``args.kind`` with the options given."""
    from gaba.sim import designs

    design = designs.get(args.kind)
    given = {k: v for k, v in vars(args).items() if v is not None and k in _config_options()}
    return design, checked(command, lambda: design.config(**given))


def _config_options() -> set[str]:
    from gaba.sim import designs

    return {name for d in designs.REGISTRY.values() for name in d.options}


# progress and output -----------------------------------------------------------------------


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


def stage(quiet: bool):
    """``say(text)``: one line on stderr per stage of long work (nothing when ``quiet``)."""

    def say(text):
        if not quiet:
            print(f"  ... {text}", file=sys.stderr, flush=True)

    return say


def fmt(value, se=None, digits=3):
    """``value`` (± ``se``) to ``digits`` places; "n/a" for None."""
    if value is None:
        return "n/a"
    text = f"{value:.{digits}f}"
    return text if se is None else f"{text} ± {se:.{digits}f}"


def write_output(out, default_name: str, text: str) -> Path | None:
    """Write ``text`` to ``out`` ("-": stdout; None: build/verilog/``default_name``); the path
    written, or None for stdout."""
    from gaba.sim.runner import build_root

    if out == "-":
        sys.stdout.write(text)
        return None
    path = Path(out) if out else build_root() / "verilog" / default_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def output_folder(args) -> Path:
    """``args.out`` as a folder, made now: a path that cannot be written fails before the
    work, not after."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_json(path: Path, data) -> Path:
    """``data`` as indented JSON in ``path``."""
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path
