"""The fixed-time integrator baselines: design entries and scoreboard.

Each trial's winner and top-input option must equal ``gaba.golden.baselines.integrator_trials``
(the golden model of both strategies: the same evidence, the same noise), and its clock count
the strategy's formula (``serial_cycles`` = N * T, ``parallel_cycles`` = T + ceil(log2 N)).
"""

from __future__ import annotations

from gaba.golden import baselines
from gaba.golden.config import Config
from gaba.golden.validate import check_count, check_seed
from gaba.hdl import baselines as hdl
from gaba.sim.design import Design
from gaba.sim.designs.nwta import OPTIONS
from gaba.sim.scoreboard import Report

__all__ = ["PARALLEL_INTEGRATORS", "SERIAL_INTEGRATOR", "Integrators"]


class Integrators(Design):
    """A fixed-time integrator baseline (:mod:`gaba.hdl.baselines`): ``steps`` integration
    steps per option, then the arg-max."""

    bench = "gaba.sim.benches.trials"
    modes = ("trials",)
    config_type = Config
    config_fixed = {"kind": "nwta"}  # the evidence of the nWTA paper point
    options = {k: OPTIONS[k] for k in ("n", "delta", "sigma", "dt", "frac_bits")}

    def __init__(self, name: str, component, cycles, title: str):
        self.name, self.title = name, title
        self.module = "gaba_" + name.replace("-", "_")
        self._component, self.cycles = component, cycles

    def component(self, cfg: Config, *, debug: bool = False):
        return self._component(cfg)

    def result_layout(self, cfg: Config):
        return hdl.integrator_result_layout(cfg)

    def golden(self, cfg: Config, count: int, seed: int, *, first: int = 0, steps: int = 1):
        """(winner, top) of each trial with ``steps`` integration steps per option."""
        return baselines.integrator_trials(cfg, steps, count, seed, first_trial=first)

    def header(self, cfg: Config, *, debug: bool = False) -> str:
        return (
            f"// gaba {self.name}: n = {cfg.n}, Config {cfg.digest()}; per trial: winner, top, "
            "cycles (gaba.golden.baselines)\n"
        )

    def describe(self, cfg: Config) -> str:
        return f"n={cfg.n} ({self.name.replace('-', ' ')})"

    #: Integration steps per option of ``gaba compare`` (the baselines' fixed time T).
    STEPS = 128

    def run(self, cfg, simulator, mode, *, count=None, seed=1, waves=False, progress=None):
        """``count`` trials (200) of :data:`STEPS` integration steps per option."""
        return self.compare(
            cfg,
            simulator,
            mode,
            steps=self.STEPS,
            trials=count or 200,
            seed=seed,
            waves=waves,
            progress=progress,
        )

    def summary_lines(self, report: Report) -> list[tuple[str, str]]:
        s = report.summary
        return [
            (
                "decisions",
                f"{s['correct']} of {s['trials']} for the top option after {s['steps']} steps "
                f"per option, {s['cycles_per_trial']} clocks per trial",
            )
        ]

    def compare(
        self,
        cfg: Config,
        simulator: str = "verilator",
        mode: str | None = None,
        *,
        steps: int,
        trials: int,
        seed: int = 1,
        first: int = 0,
        hw_config: Config | None = None,
        waves: bool = False,
        progress=None,
    ) -> Report:
        """Run ``trials`` trials of ``steps`` steps per option on the hardware of ``hw_config``
        (default ``cfg``) and hold each to the golden model of ``cfg``."""
        mode = self.check_mode(mode)
        check_count("Integration steps", steps, 1)
        check_count("Trial count", trials, 1)
        check_seed(seed)
        hw_cfg = hw_config or cfg
        winner, top = self.golden(cfg, trials, seed, first=first, steps=steps)
        cycles = self.cycles(cfg.n, steps)
        golden = [{"winner": winner[j], "top": top[j], "cycles": cycles} for j in range(trials)]
        sim, tally, results = self.run_trial_engine(
            hw_cfg,
            simulator,
            golden,
            seed=seed,
            first=first,
            inputs={"steps": steps},
            waves=waves,
            progress=progress,
        )
        correct = sum(hw["winner"] == hw["top"] for hw in results)
        summary = {
            "trials": trials,
            "n": cfg.n,
            "steps": steps,
            "seed": seed,
            "cycles_per_trial": cycles,
            "correct": correct,
        }
        return sim.report(tally, self, mode, trials, "trials", summary=summary)


PARALLEL_INTEGRATORS = Integrators(
    "parallel-integrators",
    hdl.ParallelIntegrators,
    baselines.parallel_cycles,
    "n integrators for T steps, then a pipelined comparator-tree arg-max",
)
SERIAL_INTEGRATOR = Integrators(
    "serial-integrator",
    hdl.SerialIntegrator,
    baselines.serial_cycles,
    "one integrator visits the options in turn, T steps each, with a running maximum",
)
DESIGNS = (PARALLEL_INTEGRATORS, SERIAL_INTEGRATOR)
