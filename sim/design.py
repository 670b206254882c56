"""A design: everything the framework needs of one circuit, declared in one place.

Each circuit of gaba (the nWTA and WTA trial engines, the Földiák layer, the integrator
baselines, the comparator-tree arg-max, ...) is one :class:`Design` object in
``gaba.sim.designs``. It says how to make its Config from keyword options, how to build its
Amaranth component from a Config, how to run its golden model, its result layout, its cocotb
bench and its scoreboard (:meth:`Design.compare`). The runner, the sweeps, the board host and
the command line work from these objects only; none of them branches on a design's name.

A new design is a subclass of :class:`Design` in its own module under ``gaba.sim.designs``
(plus its golden model in ``gaba.golden``, its component in ``gaba.hdl`` and its bench in
``gaba.sim.benches``), listed once in ``gaba.sim.designs``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import MappingProxyType

from gaba.sim import runner
from gaba.sim.scoreboard import Report, Tally, decode

__all__ = ["Design", "Simulation"]


@dataclasses.dataclass(frozen=True)
class Simulation:
    """One bench run: the build it ran on and the bench's record."""

    build: runner.Build
    out: dict

    @property
    def seconds(self) -> float:
        return float(self.out["seconds"])

    @property
    def cycles(self) -> int:
        return int(self.out["cycles"])

    def report(self, tally: Tally, design: Design, mode: str, compared: int, unit: str, **kw):
        """The :class:`Report` of this run's comparison."""
        return Report.of(
            tally,
            design.name,
            self.build.simulator,
            mode,
            compared,
            unit,
            seconds=self.seconds,
            cycles=self.cycles,
            build_seconds=self.build.seconds,
            **kw,
        )


class Design:
    """One circuit of gaba (see the module docstring). Subclasses set the class attributes and
    implement :meth:`config`, :meth:`component`, :meth:`golden` and :meth:`compare`.

    Attributes
    ----------
    name : str
        The design's name on the command line (``gaba verilog NAME``).
    module : str
        The generated Verilog module.
    title : str
        One line saying what it is.
    bench : str or None
        The cocotb test module that drives it (None: no simulation bench).
    modes : tuple of str
        Its comparison modes, the default first.
    debug : bool
        Whether :meth:`component` has lockstep debug ports (``debug=True``).
    config_type : type
        Its Config class (a ``paper(**changes)`` constructor builds the defaults).
    config_fixed : dict
        Config fields the design sets itself (e.g. ``{"kind": "wta"}``).
    options : dict
        The Config fields :meth:`config` accepts (the command line's options), each with a
        few words on what it is.
    sources : tuple of Path
        Source files the generated Verilog depends on besides gaba.hdl and gaba.golden (a
        board top's, say): a change rebuilds cached models.
    """

    name: str
    module: str
    title: str
    config_type: type
    config_fixed: Mapping = MappingProxyType({})
    bench: str | None = None
    modes: tuple[str, ...] = ()
    debug: bool = False
    options: Mapping = MappingProxyType({})
    sources: tuple = ()

    @property
    def toplevel(self) -> str:
        """The simulation top: the module plus a free-running clock."""
        return f"{self.module}_sim"

    def __repr__(self):
        return f"<Design {self.name}>"

    # What each design defines ------------------------------------------------------------------

    def config(self, **changes):
        """The design's Config at its defaults (the paper's), with ``changes``: fields of
        ``options`` only, others refused with one clear ``ValueError``."""
        unknown = sorted(set(changes) - set(self.options))
        if unknown:
            flags = ", ".join(f"--{k.replace('_', '-')}" for k in unknown)
            takes = ", ".join(f"--{k.replace('_', '-')}" for k in self.options) or "no options"
            raise ValueError(f"{self.name} takes {takes} only, not {flags}")
        return self.config_type.paper(**self.config_fixed, **changes)

    def component(self, cfg, *, debug: bool = False):
        """The Amaranth component of ``cfg`` (``debug``: with the lockstep ports)."""
        raise NotImplementedError

    def result_layout(self, cfg):
        """The ``amaranth.lib.data`` layout of one result word."""
        raise NotImplementedError

    def golden(self, cfg, count: int, seed: int, *, first: int = 0):
        """The golden model's results of ``count`` trials (or presentations) from ``first``."""
        raise NotImplementedError

    def compare(self, cfg, simulator: str = "verilator", mode: str | None = None, **options):
        """Simulate ``cfg``'s hardware on ``simulator`` and hold it to the golden model: the
        design's scoreboard. Returns a :class:`~gaba.sim.scoreboard.Report`."""
        raise NotImplementedError

    def describe(self, cfg) -> str:
        """A few words on ``cfg`` for progress messages."""
        return f"{self.name} n={cfg.n}"

    def header(self, cfg, *, debug: bool = False) -> str:
        """Verilog comment lines put before the module by ``gaba verilog``."""
        return f"// gaba {self.name}: {self.title}; Config {cfg.digest()}\n"

    def run(
        self,
        cfg,
        simulator: str,
        mode: str | None,
        *,
        count=None,
        seed=1,
        waves=False,
        progress=None,
    ) -> Report:
        """The command line's comparison (``gaba compare``): ``count`` trials, or the design's
        default for ``mode``. Designs whose trials take other parameters override it."""
        return self.compare(
            cfg, simulator, mode, trials=count or 200, seed=seed, waves=waves, progress=progress
        )

    def summary_lines(self, report: Report) -> list[tuple[str, str]]:
        """(label, text) lines on what the hardware did, for ``gaba compare``'s summary."""
        return []

    # What the framework derives ----------------------------------------------------------------

    def file_name(self, cfg) -> str:
        """The default file name of ``cfg``'s Verilog."""
        return f"gaba_{self.name.replace('-', '_')}_n{cfg.n}.v"

    def decode(self, cfg, word: int) -> dict:
        """One result word as a dict of its fields (:func:`gaba.sim.scoreboard.decode`)."""
        return decode(self.result_layout(cfg), word)

    def verilog(self, cfg, *, debug: bool = False) -> str:
        """Standalone Verilog of ``cfg``'s component, with :meth:`header` on top."""
        return self.header(cfg, debug=debug) + runner.verilog_text(self, cfg, debug=debug)

    def simulate(
        self,
        cfg,
        simulator: str,
        test: str,
        params: dict,
        *,
        name: str,
        debug: bool = False,
        waves: bool = False,
        progress: Callable | None = None,
        doing: str | None = None,
    ) -> Simulation:
        """Build ``cfg`` for ``simulator`` (cached) and run bench test ``test`` with ``params``."""
        b = runner.build(self, cfg, simulator, debug=debug, waves=waves, progress=progress)
        if progress and doing:
            progress(doing)
        return Simulation(b, runner.run_bench(b, test, params, name=name, waves=waves))

    def run_trial_engine(
        self,
        hw_cfg,
        simulator: str,
        golden: list[dict],
        *,
        seed: int,
        first: int = 0,
        inputs: dict | None = None,
        waves: bool = False,
        progress=None,
    ) -> tuple[Simulation, Tally, list[dict]]:
        """Run a trial engine that runs on its own (bench ``gaba.sim.benches.trials``) for
        ``len(golden)`` trials from ``first`` and hold each decoded result to ``golden[j]``
        (field -> golden value); ``inputs``: the engine's other run inputs by port name.
        Returns the simulation, the tally (the count of results checked too) and the decoded
        results."""
        inputs = inputs or {}
        trials = len(golden)
        tag = "".join(f"-{k}{v}" for k, v in inputs.items())
        sim = self.simulate(
            hw_cfg,
            simulator,
            "trials",
            {"seed": seed, "first": first, "count": trials, "inputs": inputs},
            name=f"trials-s{seed}-f{first}-k{trials}{tag}",
            waves=waves,
            progress=progress,
        )
        tally = Tally()
        results = [self.decode(hw_cfg, int(word, 16)) for word in sim.out["results"]]
        for j, (want, hw) in enumerate(zip(golden, results, strict=False)):
            tally.fields(((k, g, hw[k]) for k, g in want.items()), trial=first + j)
        tally.value("results", trials, len(results), trial=first + len(results))
        return sim, tally, results

    def check_mode(self, mode: str | None) -> str:
        """``mode`` (default: the design's first), or a ValueError naming the choices."""
        mode = self.modes[0] if mode is None else mode
        if mode not in self.modes:
            raise ValueError(f"Mode must be one of {', '.join(self.modes)}, not {mode!r}")
        return mode
