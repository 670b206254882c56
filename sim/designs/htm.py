"""The HTM spatial pooler learning on chip: its design entries and scoreboards.

``htm``: a run of the engine (``gaba.hdl.htm.SpatialPoolerEngine``) is a training run:
``count`` learning steps on the inputs its own source makes from the run's seed, from the
initial state of seed 1. Each step's active columns and the clocks it took must equal the
fixed-point model (``gaba.golden.htm.fixed.training_run``) step by step.

``htm-digits``: the pooler learning scikit-learn's digits from its ROM
(``gaba.hdl.htm.DigitsPoolerEngine``): ``learning`` steps on drawn training images, then
coding steps over the images in order. Each step's active columns, image, learning flag and
clocks must equal the fixed-point model's (``gaba.golden.htm.digits.schedule_run``).
"""

from __future__ import annotations

from gaba.golden.htm import digits, fixed
from gaba.golden.primitives import MASK32
from gaba.golden.validate import check_count
from gaba.hdl.htm import (
    DigitsPoolerEngine,
    SpatialPoolerEngine,
    digits_layout,
    engine_layout,
    step_clocks,
)
from gaba.sim.designs.argmax import ScoreTrials

__all__ = ["HTM", "HTM_DIGITS", "DigitsPoolerDesign", "SpatialPoolerDesign", "mask"]


def mask(row) -> int:
    """A bool row of active columns as the hardware's mask (bit c: column c)."""
    return sum(1 << int(c) for c in row.nonzero()[0])


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
        columns = check_count("Columns", changes.get("n", base.n), 1)
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
            {"active": mask(row), "clocks": clocks}
            for row in self.golden(cfg, trials, seed, first=first)
        ]


class DigitsPoolerDesign(SpatialPoolerDesign):
    """The spatial pooler learning the digits from its image ROM."""

    name = "htm-digits"
    module = "gaba_htm_digits"
    title = "HTM spatial pooler learning scikit-learn's digits on chip from a block-RAM ROM"
    options = {"n": "columns"}

    def config(self, **changes):
        """The digits' pooler (``gaba.golden.htm.digits.DIGITS_PARAMS``) with ``n`` columns;
        its density is 0.05 or, for few columns, 1/n."""
        base = fixed.SpatialPoolerConfig(params=digits.DIGITS_PARAMS)
        unknown = {k: v for k, v in changes.items() if k not in self.options}
        super(SpatialPoolerDesign, self).config(**unknown)  # refuses what the design does not take
        columns = check_count("Columns", changes.get("n", base.n), 1)
        return base.replace(
            columns=columns, local_area_density=max(base.params.local_area_density, 1 / columns)
        )

    def component(self, cfg, *, debug: bool = False):
        return DigitsPoolerEngine(cfg)

    def result_layout(self, cfg):
        return digits_layout(cfg)

    def run_inputs(self, trials: int, first: int = 0) -> dict:
        """The first half of the run learns (``gaba compare``'s default), the rest codes:
        ``learning`` counts from step 0, so it is ``first`` + half the trials."""
        return {"learning": min(first + trials // 2, MASK32)}

    def golden(self, cfg, count: int, seed: int, *, first: int = 0, learning: int = 0):
        return digits.schedule_run(cfg, learning, count, seed, first=first)

    def golden_rows(self, cfg, trials, seed, first, *, learning: int = 0):
        active, images, learn = self.golden(cfg, trials, seed, first=first, learning=learning)
        clocks = {True: step_clocks(cfg, True) + 5, False: step_clocks(cfg, False) + 5}
        return [
            {  # the step's image first: a wrong one is named before what it caused
                "image": int(image),
                "learn": bool(on),
                "active": mask(row),
                "clocks": clocks[bool(on)],
            }
            for row, image, on in zip(active, images, learn, strict=True)
        ]


HTM = SpatialPoolerDesign()
HTM_DIGITS = DigitsPoolerDesign()
DESIGNS = (HTM, HTM_DIGITS)
