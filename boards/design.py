"""A design's board side: everything the boards need of one design with a board top.

Each design of the design registry (``gaba.sim.designs``) that runs on a board has one
:class:`BoardDesign` in the board registry, ``gaba.boards.designs``: its board top and INFO
payload, whether a board can hold it and at which clock, the fields it adds to a build's
report, its host driver, its run on a board (held to the golden model by the design's own
scoreboard) and how that run is shown. The bitstream build (boards.build), the simulated
board (boards.simboard), the board session (boards.session) and ``gaba build`` / ``gaba
board`` work from these objects and never branch on a design's name.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BoardDesign", "RunOption", "run_lines", "verdict"]


def verdict(report) -> str:
    """A comparison's verdict in a word or two (a gaba.sim.scoreboard.Report)."""
    return "BIT-EXACT" if report.bit_exact else f"MISMATCH ({report.mismatches} values)"


def run_lines(head: str, results: str, report, counters: str, seconds: float) -> list[str]:
    """The text of a board run: its ``head`` line, what its ``results`` were held to (the
    first mismatch after it, if ``report`` has one), the board's ``counters`` and the host's
    ``seconds``."""
    out = [head, f"  results    {results}"]
    if report is not None and report.first_mismatch is not None:
        out.append(f"  first      {report.first_mismatch.describe()}")
    return [*out, f"  counters   {counters}", f"  host       {seconds:.2f} s"]


@dataclass(frozen=True)
class RunOption:
    """An option of a board run that only some designs take (``gaba board run --NAME``)."""

    name: str  # the keyword (``delta_in`` for --delta-in)
    help: str
    kind: str = "count"  # "count": an integer from 0; "number": a real number

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


class BoardDesign:
    """One design's board side (see the module docstring). Subclasses set the attributes and
    implement :meth:`info_payload`, :meth:`run` and what else differs from the defaults.

    Attributes
    ----------
    name : str
        The design's name in ``gaba.sim.designs`` (and on the command line).
    top : type
        Its board top, a :class:`gaba.boards.hostlink.HostLinkTop` taking ``(cfg, divisor=,
        clock_hz=, fifo_depth=, timeout_bits=, leds=)``.
    host : type
        Its host driver, :class:`gaba.boards.host.Board` or a subclass.
    unit : str
        What a run counts (``gaba board run --trials``), and the default count in words.
    run_options : tuple of RunOption
        The run options only this design takes.
    no_check : str
        What ``gaba board run --no-check`` leaves out for this design.
    after_abort : str
        A note after an ABORT.
    """

    name: str
    top: type
    host: type
    unit: str = "trials"
    count_help: str = "trials (100)"
    run_options: tuple[RunOption, ...] = ()
    no_check: str = "the board's counters only, no golden comparison"
    after_abort: str = ""

    def __repr__(self):
        return f"<BoardDesign {self.name}>"

    @property
    def design(self):
        """The design's entry of the design registry (Config, scoreboard, ...)."""
        from gaba.sim import designs

        return designs.get(self.name)

    def holds(self, cfg) -> bool:
        """Whether ``cfg`` is a Config of this design."""
        d = self.design
        return isinstance(cfg, d.config_type) and all(
            getattr(cfg, k) == v for k, v in d.config_fixed.items()
        )

    # the board top ----------------------------------------------------------------------------

    #: Whether copies of the design can share a run (``board_top``'s ``replicas``).
    replicable = False

    def board_top(
        self,
        cfg,
        *,
        divisor: int,
        clock_hz: int,
        leds: int,
        fifo_depth=32,
        timeout_bits=4096,
        replicas: int = 1,
    ):
        """The board top of ``cfg`` (ValueError for a Config it cannot carry); ``replicas``
        copies of the design share each run where the design is :attr:`replicable`."""
        extra = {}
        if self.replicable:
            extra["replicas"] = self.top.check_replicas(replicas)  # before the top exists
        elif replicas != 1:
            raise ValueError(f"{self.name} runs one copy per board top, not {replicas!r}")
        return self.top(
            cfg,
            divisor=divisor,
            clock_hz=clock_hz,
            fifo_depth=fifo_depth,
            timeout_bits=timeout_bits,
            leds=leds,
            **self.top_args(),
            **extra,
        )

    def top_args(self) -> dict:
        """What the board top takes of this design besides the Config and the link's
        parameters (a top shared by several designs: which one); by default nothing."""
        return {}

    def info_payload(self, cfg, divisor: int, clock_hz: int, fifo_depth: int) -> bytes:
        """What the board top with these parameters answers to INFO."""
        raise NotImplementedError

    def check_board(self, cfg, spec) -> None:
        """ValueError unless the board ``spec`` (a boards.platforms.BoardSpec) can hold
        ``cfg``'s top at all; by default, any board can."""
        self.top.check_config(cfg)

    def clock_div(self, cfg, spec) -> int:
        """The default division of the board clock for ``cfg`` on ``spec``: the board clock
        itself."""
        return 1

    def build_fields(self, cfg) -> dict:
        """The design's own fields of a build's report (``gaba build --json``)."""
        return {"latency": None, "step_clocks": None, "lanes": None}

    # messages ---------------------------------------------------------------------------------

    def describe(self, cfg) -> str:
        """A few words on ``cfg`` (``nwta n=16``) for messages and progress."""
        return f"{self.name} n={cfg.n}"

    def label(self, cfg) -> str:
        """``cfg`` with its Config digest, for a build's summary."""
        return f"{self.describe(cfg)}, {type(cfg).__name__} {cfg.digest()}"

    # the host side ----------------------------------------------------------------------------

    def open(self, transport, cfg, *, timeout: float):
        """The host driver of a board running ``cfg``, over ``transport``."""
        return self.host(transport, timeout=timeout)

    def adopt(self, cfg, info, fields=()):
        """``cfg`` as a real board built with the build's defaults runs it (its INFO): the
        Config options named in ``fields`` (those the user did not give) taken from the
        board."""
        return cfg

    def check_options(self, cfg, options: dict) -> dict:
        """The run options given (``options``: name -> value, None when not given) checked
        against ``cfg``, as :meth:`run` takes them; ValueError for a bad one."""
        return options

    def run(
        self,
        board,
        cfg,
        *,
        seed: int,
        count: int | None,
        check: bool,
        adopt,
        source: str,
        progress=None,
        **options,
    ):
        """Run ``count`` (None: the design's default) on ``board`` and hold it to the golden
        model; ``check`` False: the results are not streamed (:attr:`no_check`); ``adopt``: the
        Config first takes what the board says it was built with, for these option names
        (:meth:`adopt`; empty: none). Returns the
        run: ``ok``, ``to_json()``, ``lines()`` (its text), ``warnings()``."""
        raise NotImplementedError

    #: Whether the design learns something a board can be asked for (``gaba board read``).
    learns = False

    def read(self, board, cfg, *, source: str = "board"):
        """What the board learned (``to_json()``, ``lines()``), for a design that learns."""
        raise NotImplementedError
