"""The outcome of a batch of decision trials, whatever model ran them.

:class:`TrialResults` holds winner, top option, steps and decided per trial and computes the
statistics (accuracy, decision time, their standard errors); the float reference
(:mod:`gaba.golden.reference`), the fixed-point golden model (:mod:`gaba.golden.fixed`, whose
``FixedTrialResults`` adds its flags and state digest) and the hardware's results share it.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from gaba.golden.validate import check_number

__all__ = ["TrialResults", "join", "join_blocks"]


def _nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@dataclass(frozen=True, eq=False)
class TrialResults:
    """Outcome of a batch of decision trials, one entry per trial.

    The arrays are copied on construction and made read-only. A trial is either decided
    (``winner >= 0``, ``1 <= steps``) or undecided (``winner == -1``); undecided trials stay
    in every array and count against :attr:`decided_fraction`, never silently dropped.

    Parameters
    ----------
    winner : array of int64, shape (trials,)
        Index of the neuron with the largest x at the decision step (ties go to the lowest
        index), or -1 for a trial that did not decide.
    top : array of int64, shape (trials,)
        Index of the top-input option (b = b_max) of each trial.
    steps : array of int64, shape (trials,)
        Steps executed until the decision (the first step is 1); the horizon's step count for
        an undecided trial.
    decided : array of bool, shape (trials,)
        Whether the trial reached the decision threshold within the horizon.
    dt : float
        Step in units of tau, so that ``steps*dt`` is a time in units of tau.

    Raises
    ------
    ValueError
        If the arrays are not one-dimensional of one common, non-zero length, are not
        integer (boolean for ``decided``), if ``winner`` and ``decided`` disagree, if a step
        count is negative, or if ``dt`` is not a positive finite number.

    Notes
    -----
    Comparison is by identity (``eq=False``): compare the arrays to compare two results.
    """

    winner: np.ndarray
    top: np.ndarray
    steps: np.ndarray
    decided: np.ndarray
    dt: float

    def __post_init__(self):
        arrays = {}
        for name in ("winner", "top", "steps", "decided"):
            value = np.array(getattr(self, name), copy=True)
            if value.ndim != 1:
                raise ValueError(
                    f"Trial results: {name} must be one-dimensional, not {value.shape}"
                )
            if name == "decided":
                if value.dtype != np.bool_:
                    raise ValueError(f"Trial results: decided must be boolean, not {value.dtype}")
            else:
                if not np.issubdtype(value.dtype, np.integer) and value.size:
                    raise ValueError(f"Trial results: {name} must be integer, not {value.dtype}")
                value = value.astype(np.int64)
            value.setflags(write=False)
            arrays[name] = value
        lengths = {name: value.shape[0] for name, value in arrays.items()}
        if len(set(lengths.values())) != 1 or lengths["winner"] == 0:
            raise ValueError(f"Trial results need one common, non-zero length, not {lengths}")
        winner, decided = arrays["winner"], arrays["decided"]
        if np.any(decided & (winner < 0)) or np.any(~decided & (winner != -1)):
            raise ValueError(
                "Trial results: winner must be >= 0 for decided trials and -1 for undecided ones"
            )
        if np.any(arrays["steps"] < 0):
            raise ValueError("Trial results: step counts must be non-negative")
        dt = check_number("Trial results: dt", self.dt, low=0, low_open=True)
        for name, value in arrays.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "dt", float(dt))

    @property
    def trials(self) -> int:
        """Number of trials, decided or not."""
        return int(self.winner.shape[0])

    @property
    def correct(self) -> np.ndarray:
        """Bool per trial: decided, and the winner is the top-input option."""
        return self.decided & (self.winner == self.top)

    @property
    def decision_time(self) -> np.ndarray:
        """Float per trial: ``steps*dt`` in units of tau (the horizon for undecided trials)."""
        return self.steps * self.dt

    @property
    def decided_fraction(self) -> float:
        """Fraction of all trials that decided within the horizon."""
        return float(np.mean(self.decided))

    @property
    def _n_decided(self) -> int:
        return int(np.count_nonzero(self.decided))

    @property
    def accuracy(self) -> float:
        """Fraction of correct trials among the DECIDED trials (nan if none decided)."""
        n = self._n_decided
        return float(np.count_nonzero(self.correct)) / n if n else math.nan

    @property
    def accuracy_se(self) -> float:
        """Binomial standard error of :attr:`accuracy`, sqrt(p(1 - p)/n_decided) (nan if none)."""
        n = self._n_decided
        if not n:
            return math.nan
        p = self.accuracy
        return math.sqrt(p * (1.0 - p) / n)

    @property
    def mean_decision_time(self) -> float:
        """Mean decision time (units of tau) over the decided trials (nan if none decided)."""
        if not self._n_decided:
            return math.nan
        return float(np.mean(self.decision_time[self.decided]))

    @property
    def decision_time_se(self) -> float:
        """Standard error of :attr:`mean_decision_time`, std(ddof=1)/sqrt(n_decided).

        nan with fewer than two decided trials.
        """
        n = self._n_decided
        if n < 2:
            return math.nan
        return float(np.std(self.decision_time[self.decided], ddof=1) / math.sqrt(n))

    def summary(self) -> dict:
        """The statistics as plain Python numbers, nan replaced by None (JSON-serialisable).

        Returns
        -------
        dict
            Keys ``mean_decision_time``, ``mean_decision_time_se``, ``accuracy``,
            ``accuracy_se``, ``decided_fraction`` (floats or None) and ``trials`` (int).
        """
        return {
            "mean_decision_time": _nan_to_none(self.mean_decision_time),
            "mean_decision_time_se": _nan_to_none(self.decision_time_se),
            "accuracy": _nan_to_none(self.accuracy),
            "accuracy_se": _nan_to_none(self.accuracy_se),
            "decided_fraction": _nan_to_none(self.decided_fraction),
            "trials": self.trials,
        }


def join_blocks(parts: list, shared: tuple[str, ...]):
    """One dataclass of blocks of one run, in the order given: the fields named in ``shared``
    must be equal in every block and are taken once; every other field is an array per trial
    (or per run) and is concatenated, or None in every block. All blocks are of one type."""
    if not parts:
        raise ValueError("Nothing to join: no blocks")
    kinds = {type(p) for p in parts}
    if len(kinds) != 1:
        raise ValueError(f"Blocks of one run must be of one type, not {sorted(map(str, kinds))}")
    first, values = parts[0], {}
    for name in shared:  # first: blocks of other runs differ here before anywhere
        got = [getattr(p, name) for p in parts]
        if any(not np.array_equal(g, got[0]) for g in got):
            seen = f", not {got}" if np.ndim(got[0]) == 0 else ""
            raise ValueError(f"Blocks of one run must share {name}{seen}")
        values[name] = got[0]
    for f in dataclasses.fields(first):
        if f.name in shared:
            continue
        got = [getattr(p, f.name) for p in parts]
        if any(g is None for g in got):
            if any(g is not None for g in got):
                raise ValueError(f"Blocks of one run disagree on whether they have {f.name}")
            values[f.name] = None
        else:
            values[f.name] = np.concatenate(got)
    return type(first)(**values)


def join(parts: list[TrialResults]) -> TrialResults:
    """One result of blocks of one run, in the order given: every per-trial array concatenated
    (fields a subclass adds too, such as the fixed-point model's flags), ``dt`` shared.

    Trials depend on (seed, trial index) only, so the blocks ``first .. first + count - 1`` of
    a run, joined in order, are the run's result: a sweep split over workers merges this way.
    """
    return join_blocks(parts, ("dt",))
