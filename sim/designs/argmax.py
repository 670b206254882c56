"""The comparator-tree arg-max: its design entry and scoreboard.

Each trial's winner (the lowest index holding the largest score), its score and the clocks it
took must equal the golden model (``gaba.golden.argmax``).
"""

from __future__ import annotations

from gaba.golden import argmax
from gaba.golden.validate import check_count, check_seed
from gaba.hdl.argmax import ArgmaxEngine, result_layout
from gaba.sim.design import Design
from gaba.sim.scoreboard import Report, Tally

__all__ = ["ARGMAX", "ComparatorTree", "ScoreTrials"]


class ScoreTrials(Design):
    """A trial engine over n drawn scores (``gaba.hdl.argmax.ScoreEngine``): each trial's
    result is held to the golden model's row of it (:meth:`golden_rows`)."""

    bench = "gaba.sim.benches.trials"
    modes = ("trials",)

    def golden_rows(self, cfg, trials: int, seed: int, first: int, **inputs) -> list[dict]:
        """Each trial's result fields, from the golden model (``inputs``: the engine's other
        run inputs)."""
        raise NotImplementedError

    def run_inputs(self, trials: int, first: int = 0) -> dict:
        """The engine's other run inputs of a run of ``trials`` trials from trial ``first``,
        by port name."""
        return {}

    def expected(self, cfg, trials: int, seed: int, first: int, inputs: dict | None):
        """(inputs, golden rows) of a run of ``trials`` trials from ``first``: ``inputs``
        (default :meth:`run_inputs` of the run) and each trial's :meth:`golden_rows`."""
        inputs = self.run_inputs(trials, first) if inputs is None else inputs
        return inputs, (self.golden_rows(cfg, trials, seed, first, **inputs) if trials else [])

    def run_summary(self, cfg, trials: int, seed: int, inputs: dict) -> dict:
        """A run's summary: its trials, the design's options, its run inputs and seed."""
        return {
            "trials": trials,
            **{k: getattr(cfg, k) for k in self.options},
            **inputs,
            "seed": seed,
        }

    def describe(self, cfg) -> str:
        return ", ".join(f"{k}={getattr(cfg, k)}" for k in self.options)

    def check_board(
        self,
        cfg,
        results,
        *,
        seed: int,
        first: int = 0,
        trials: int | None = None,
        inputs: dict | None = None,
        source: str = "board",
    ) -> Report:
        """Hold a board's run to the golden model (mode "trials"): ``results`` are its RESULT
        frames in order (objects with ``trial``, the index the frame carries, and ``word``)
        of a run of ``trials`` trials from ``first`` (default: as many as ``results``);
        ``inputs`` the engine's other run inputs by port name (default :meth:`run_inputs`).
        Each word is decoded and held to :meth:`golden_rows` field by field, as on the
        simulators, each frame's index to its trial, and the count of results to
        ``trials``."""
        trials = len(results) if trials is None else trials
        inputs, golden = self.expected(cfg, trials, seed, first, inputs)
        decoded = [self.decode(cfg, r.word) for r in results]
        tally = Tally()
        for j, (want, frame, hw) in enumerate(zip(golden, results, decoded, strict=False)):
            trial = (first + j) % 2**32  # the engine's 32-bit trial index
            tally.value("trial", trial, frame.trial, trial=trial)
            tally.fields(((k, g, hw[k]) for k, g in want.items()), trial=trial)
        tally.value("results", trials, len(results), trial=first + len(results))
        summary = {**self.run_summary(cfg, trials, seed, inputs), "first": first}
        return Report.of(
            tally,
            self.name,
            source,
            "trials",
            len(results),
            "trials",
            summary=summary,
            outputs={"results": decoded, "golden": golden},
        )

    def compare(
        self,
        cfg,
        simulator="verilator",
        mode=None,
        *,
        trials=1,
        seed=1,
        first=0,
        hw_config=None,
        inputs=None,
        waves=False,
        progress=None,
    ) -> Report:
        """Run ``trials`` trials on the hardware of ``hw_config`` (default ``cfg``) and hold
        each to the golden model of ``cfg``; ``inputs``: the engine's other run inputs by
        port name (default :meth:`run_inputs`). The report's outputs hold the decoded
        results (``results``)."""
        mode = self.check_mode(mode)
        check_count("Trial count", trials, 1)
        check_seed(seed)
        inputs, golden = self.expected(cfg, trials, seed, first, inputs)
        sim, tally, results = self.run_trial_engine(
            hw_config or cfg,
            simulator,
            golden,
            seed=seed,
            first=first,
            inputs=inputs,
            waves=waves,
            progress=progress,
        )
        summary = self.run_summary(cfg, trials, seed, inputs)
        return sim.report(
            tally, self, mode, trials, "trials", summary=summary, outputs={"results": results}
        )


class ComparatorTree(ScoreTrials):
    """The exact arg-max of n noise-free scores in ceil(log2 n) pipelined rounds."""

    name = "argmax"
    module = "gaba_argmax"
    title = "comparator-tree arg-max of n noise-free scores, one register per round"
    config_type = argmax.ArgmaxConfig
    options = {"n": "number of scores", "width": "bits per score"}

    def component(self, cfg, *, debug: bool = False):
        return ArgmaxEngine(cfg)

    def result_layout(self, cfg):
        return result_layout(cfg)

    def golden(self, cfg, count: int, seed: int, *, first: int = 0):
        return argmax.winners(cfg, count, seed, first=first)

    def golden_rows(self, cfg, trials, seed, first):
        winner, best = self.golden(cfg, trials, seed, first=first)
        clocks = argmax.argmax_clocks(cfg)
        return [
            {"winner": w, "max": m, "clocks": clocks} for w, m in zip(winner, best, strict=True)
        ]


ARGMAX = ComparatorTree()
DESIGNS = (ARGMAX,)
