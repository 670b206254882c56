"""The two demonstrations of Földiák's layer, on the float reference or the fixed-point model.

:func:`run_bars` learns the bars problem in R independent runs and scores them (Spratling &
Johnson's bars represented, the learning curve, the exact-code error on fresh test patterns);
:func:`run_letters` learns the alphabet and reports the letters' codes. Both return an outcome
whose ``summary()`` is the JSON of ``gaba foldiak``; the command line and the documentation's
numbers come from here.

The float model draws from NumPy generators (:func:`gaba.golden.foldiak.reference.run_rng`), the
fixed-point model from the hardware's xorshift32 streams (:mod:`gaba.golden.foldiak`), so the
two see different (equally distributed) patterns for the same seed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gaba.golden.foldiak import bars, letters
from gaba.golden.foldiak import fixed as fk
from gaba.golden.foldiak import reference as fr
from gaba.golden.foldiak.config import FoldiakConfig, FoldiakParams
from gaba.golden.foldiak.results import Learned, join_runs

__all__ = [
    "MODELS",
    "REFERENCE_CURVE",
    "BarsOutcome",
    "LettersOutcome",
    "run_bars",
    "run_letters",
]

#: Models the experiments run on (the command line's ``--model`` choices).
MODELS = ("float", "fixed")

#: Mean bars represented in the reference's float model, by training presentations.
REFERENCE_CURVE = {1000: 12.5, 1500: 15.5, 2500: 16.0, 3000: 16.0}

Progress = Callable[[int, int], object] | None


def _check_model(model):
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")


def _range(values, scale):
    return [round(float(values.min()) / scale, 4), round(float(values.max()) / scale, 4)]


@dataclass(frozen=True, eq=False)
class BarsOutcome:
    """Learned layers of the bars problem and their scores."""

    model: str
    seed: int
    learned: Learned
    represented: np.ndarray  # int[R]: different bars represented after training
    curve: np.ndarray  # float[S]: mean over runs of bars represented at learned.snapshot_at
    code_error: np.ndarray  # float[R]: fraction of test patterns not coded exactly
    test_patterns: int
    seconds: float
    config: FoldiakConfig | None = None

    @classmethod
    def join(cls, parts: list[BarsOutcome], *, seconds: float) -> BarsOutcome:
        """One outcome of blocks of runs of one experiment, in the order given (their runs
        concatenated, the learning curve averaged over them all); ``seconds``: its time."""
        first = parts[0]
        if any(
            (p.model, p.seed, p.test_patterns) != (first.model, first.seed, first.test_patterns)
            for p in parts
        ):
            raise ValueError("Blocks of one bars experiment share model, seed and test patterns")
        learned = join_runs([p.learned for p in parts])
        return cls(
            model=first.model,
            seed=first.seed,
            learned=learned,
            represented=np.concatenate([p.represented for p in parts]),
            curve=bars.bars_represented(learned.q_hist).mean(axis=0),
            code_error=np.concatenate([p.code_error for p in parts]),
            test_patterns=first.test_patterns,
            seconds=seconds,
            config=first.config,
        )

    def summary(self) -> dict:
        """Plain-data summary (the JSON of ``gaba foldiak bars``)."""
        lr = self.learned
        return _summary(
            self,
            runs_all_bars=int((self.represented == bars.N_BARS).sum()),
            mean_bars_represented=round(float(self.represented.mean()), 4),
            code_error=round(float(self.code_error.mean()), 5),
            test_patterns=self.test_patterns,
            bars_per_run=[int(v) for v in self.represented],
            code_error_per_run=[round(float(v), 4) for v in self.code_error],
            curve={
                "presentations": [int(v) for v in lr.snapshot_at],
                "mean_bars_represented": [round(float(v), 4) for v in self.curve],
            },
        )


def _summary(outcome, **middle) -> dict:
    """The JSON summary of an outcome: what was run, ``middle``, then the learned ranges,
    saturation, time and Config."""
    lr = outcome.learned
    out = {
        "model": outcome.model,
        "runs": lr.runs,
        "presentations": lr.presentations,
        "seed": outcome.seed,
        **middle,
        "w_range": _range(lr.w, lr.scale),
        "t_range": _range(lr.t, lr.scale),
        "w_saturated_runs": int(lr.w_sat.sum()),
        "t_saturated_runs": int(lr.t_sat.sum()),
        "seconds": round(outcome.seconds, 3),
    }
    if outcome.config is not None:
        out["frac_bits"] = outcome.config.frac_bits
        out["config_digest"] = outcome.config.digest()
    return out


def run_bars(
    model: str,
    runs: int,
    presentations: int,
    seed: int,
    *,
    test_patterns: int = 1000,
    snapshot_every: int = 100,
    progress: Progress = None,
    config: FoldiakConfig | None = None,
    params: FoldiakParams | None = None,
    first_run: int = 0,
) -> BarsOutcome:
    """Learn the bars problem in runs ``first_run .. first_run + runs - 1`` and score them.

    ``config`` (fixed) and ``params`` (float) default to the paper's: FoldiakConfig.paper()
    and the reference's float settings :data:`~gaba.golden.foldiak.reference.PAPER`. A run
    depends on (seed, run index) only: blocks of runs joined in order
    (:meth:`BarsOutcome.join`) are the outcome of one call over them all.
    """
    _check_model(model)
    start = time.monotonic()
    if model == "fixed":
        cfg = config or FoldiakConfig.paper()
        lr = fk.train(
            cfg, runs, presentations, seed, snapshot_every=snapshot_every, progress=progress,
            first_run=first_run,
        )  # fmt: skip
        x, masks = fk.test_patterns(seed, runs, test_patterns, first_run=first_run)
        y = fk.respond(cfg, lr.q, lr.w, lr.t, x) > cfg.half
    else:
        cfg, par = None, params or fr.PAPER
        lr = fr.train(
            par, runs, presentations, seed, snapshot_every=snapshot_every, progress=progress,
            first_run=first_run,
        )  # fmt: skip
        x, masks = fr.float_patterns(seed, runs, test_patterns, fr.STREAM_TEST, first_run=first_run)
        y = fr.respond(par, lr.q, lr.w, lr.t, x) > 0.5
    errors = bars.code_errors(y, masks, bars.unit_bars(lr.q))
    return BarsOutcome(
        model=model,
        seed=seed,
        learned=lr,
        represented=bars.bars_represented(lr.q),
        curve=bars.bars_represented(lr.q_hist).mean(axis=0),
        code_error=errors.mean(axis=1),
        test_patterns=test_patterns,
        seconds=time.monotonic() - start,
        config=cfg,
    )


@dataclass(frozen=True, eq=False)
class LettersOutcome:
    """Learned layers of the letters demonstration and the letters' codes."""

    model: str
    seed: int
    learned: Learned
    codes: np.ndarray  # bool[R, 26, n]: each letter's binary output after training
    seconds: float
    config: FoldiakConfig | None = None

    def summary(self) -> dict:
        """Plain-data summary (the JSON of ``gaba foldiak letters``)."""
        return _summary(self, **letters.codes_summary(self.codes))


def run_letters(
    model: str,
    runs: int,
    presentations: int,
    seed: int,
    *,
    progress: Progress = None,
    config: FoldiakConfig | None = None,
    params: FoldiakParams | None = None,
) -> LettersOutcome:
    """Learn the alphabet (English frequencies) in ``runs`` runs; settle on each letter."""
    _check_model(model)
    start = time.monotonic()
    glyphs = np.broadcast_to(letters.glyphs(), (runs, len(letters.ALPHABET), bars.M))
    if model == "fixed":
        cfg = config or FoldiakConfig.paper(**letters.CONFIG_CHANGES)
        lr = fk.train(cfg, runs, presentations, seed, source=letters.prng_letters,
                      progress=progress)  # fmt: skip
        codes = fk.respond(cfg, lr.q, lr.w, lr.t, glyphs) > cfg.half
    else:
        cfg, par = None, params or fr.PAPER
        total = par.pre_presentations + presentations
        rngs = [fr.run_rng(seed, r, fr.STREAM_TRAIN) for r in range(runs)]
        x = np.stack([letters.float_letters(rng, total)[0] for rng in rngs])
        lr = fr.train(par, runs, presentations, seed, patterns=x, progress=progress)
        codes = fr.respond(par, lr.q, lr.w, lr.t, glyphs) > 0.5
    return LettersOutcome(
        model=model,
        seed=seed,
        learned=lr,
        codes=codes,
        seconds=time.monotonic() - start,
        config=cfg,
    )
