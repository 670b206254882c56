"""The HTM spatial pooler learning on chip: its design entry and scoreboard.

A run of the engine (``gaba.hdl.htm.SpatialPoolerEngine``) is a training run: ``count``
learning steps on the inputs its own source makes from the run's seed, from the initial state
of seed 1. Each step's active columns and the clocks it took must equal the fixed-point model
(``gaba.golden.htm.fixed.training_run``) step by step.
"""

from __future__ import annotations

from gaba.golden.htm import fixed
from gaba.hdl.htm import SpatialPoolerEngine, engine_layout, step_clocks
from gaba.sim.designs.argmax import ScoreTrials

__all__ = ["HTM", "SpatialPoolerDesign"]


class SpatialPoolerDesign(ScoreTrials):
    """The spatial pooler's global-inhibition form, folded over its columns."""

    name = "htm"
    module = "gaba_htm"
    title = "HTM spatial pooler learning on chip, a column a clock, k-WTA inhibition"
    config_type = fixed.SpatialPoolerConfig
    options = {"n": "columns", "inputs": "input bits"}

    def config(self, **changes):
        """The default spatial pooler with ``n`` columns and ``inputs`` input bits; its
        density is 0.05 or, for few columns, 1/n (one winner at least)."""
        unknown = {k: v for k, v in changes.items() if k not in self.options}
        base = super().config(**unknown)  # refuses what the design does not take
        columns = changes.get("n", base.n)
        return base.replace(
            columns=columns,
            inputs=changes.get("inputs", base.inputs),
            local_area_density=max(base.params.local_area_density, 1 / columns),
        )

    def component(self, cfg, *, debug: bool = False):
        return SpatialPoolerEngine(cfg)

    def result_layout(self, cfg):
        return engine_layout(cfg)

    def golden(self, cfg, count: int, seed: int, *, first: int = 0):
        # a run from ``first`` starts from the initial state too (the engine is reset); only
        # its inputs are those of steps first ..
        active, _ = fixed.training_run(cfg, count, seed, first=first)
        return active

    def golden_rows(self, cfg, trials, seed, first):
        clocks = step_clocks(cfg, True) + 3
        return [
            {"active": sum(1 << int(c) for c in row.nonzero()[0]), "clocks": clocks}
            for row in self.golden(cfg, trials, seed, first=first)
        ]


HTM = SpatialPoolerDesign()
DESIGNS = (HTM,)
