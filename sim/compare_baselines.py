"""The integrator baselines in a simulator against gaba.golden.baselines.

Each trial's winner and top-input option must equal ``integrator_trials`` (the golden model of
both strategies: the same evidence, the same noise), and its cycle count the strategy's
formula (``serial_cycles`` = N * T, ``parallel_cycles`` = T + ceil(log2 N)).
"""

from __future__ import annotations

from dataclasses import dataclass

from gaba.golden import baselines
from gaba.golden.config import Config
from gaba.hdl.baselines import integrator_result_layout
from gaba.sim import runner
from gaba.sim.compare import _decode, _fields

__all__ = ["BaselineReport", "compare_baseline"]

CYCLES = {
    "parallel-integrators": baselines.parallel_cycles,
    "serial-integrator": baselines.serial_cycles,
}


@dataclass
class BaselineReport:
    design: str
    simulator: str
    n: int
    steps: int
    trials: int
    mismatches: int
    first_mismatch: str | None
    correct: int
    cycles_per_trial: int
    build_seconds: float
    sim_seconds: float
    sim_cycles: float

    @property
    def bit_exact(self) -> bool:
        return self.mismatches == 0


def compare_baseline(
    cfg: Config,
    design: str,
    simulator: str = "verilator",
    *,
    steps: int,
    trials: int,
    seed: int = 1,
    first: int = 0,
    hw_config: Config | None = None,
    progress=None,
) -> BaselineReport:
    """Run ``trials`` trials of the baseline ``design`` (``parallel-integrators`` or
    ``serial-integrator``) built from ``hw_config`` (default ``cfg``) with ``steps`` steps per
    option, and compare each with the golden model of ``cfg``."""
    if design not in runner.BASELINES:
        raise ValueError(f"Design must be one of {', '.join(runner.BASELINES)}, not {design!r}")
    hw_cfg = hw_config or cfg
    b = runner.build(hw_cfg, simulator, design=runner.BASELINES[design], progress=progress)
    out = runner.run_bench(
        b,
        "trials",
        {"seed": seed, "first": first, "count": trials, "steps": steps},
        name=f"trials-s{seed}-f{first}-k{trials}-t{steps}",
    )
    winner, top = baselines.integrator_trials(cfg, steps, trials, seed, first_trial=first)
    expect_cycles = CYCLES[design](cfg.n, steps)
    fields = _fields(integrator_result_layout(hw_cfg))
    mismatches, first_mm, correct = 0, None, 0
    for j, word in enumerate(out["results"]):
        hw = _decode(fields, int(word, 16))
        for name, g in (("winner", winner[j]), ("top", top[j]), ("cycles", expect_cycles)):
            if int(g) != hw[name]:
                mismatches += 1
                if first_mm is None:
                    first_mm = f"trial {first + j}: {name} golden {int(g)} hardware {hw[name]}"
        correct += hw["winner"] == hw["top"]
    return BaselineReport(
        design,
        simulator,
        cfg.n,
        steps,
        trials,
        mismatches + abs(trials - len(out["results"])),
        first_mm,
        correct,
        expect_cycles,
        b.seconds,
        out["seconds"],
        out["cycles"],
    )
