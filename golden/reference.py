"""Floating-point reference models of nWTA and conventional WTA, vectorised over trials.

This is the discrete model of ``reference/nwta.md`` ("Discrete step") run literally in
float64 NumPy, many independent trials at once. Per step, every neuron's update uses the
state of step t only::

    g(x)  = x if x >= theta else 0        (nWTA; x == theta counts as active)
    g(x)  = x                             (conventional WTA)
    inh_i = beta*(S - g(x_i)),  S = sum_j g(x_j)
    eta   = a*eta + c*xi,       xi ~ N(0, 1), a = exp(-dt/tau_eta), c = sigma*sqrt(1 - a^2)
    r     = max(b + alpha*x - inh + eta, 0)
    x     = x + dt*(r - x)
    decided when max_i x_i >= stop

With ``params.latency = L > 0`` the inhibition term is computed from the state L steps
earlier (a pipelined adder tree), with x = 0 before the first step.

:class:`TrialResults` holds the outcome of a batch of trials and its statistics; it knows
nothing about how the trials were simulated, so the fixed-point golden model returns it too.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gaba.golden.params import NetworkParams
from gaba.golden.validate import check_count, check_seed, check_top

__all__ = ["TrialResults", "simulate_float"]

#: Steps between calls of the ``progress`` callback (besides the final call).
_PROGRESS_EVERY = 1024


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
        dt = self.dt
        if (
            isinstance(dt, bool)
            or not isinstance(dt, numbers.Real)
            or not math.isfinite(dt)
            or dt <= 0
        ):
            raise ValueError(f"Trial results: dt must be a positive finite number, not {dt!r}")
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


def simulate_float(
    params: NetworkParams,
    trials: int,
    seed: int,
    *,
    top=None,
    progress: Callable[[int, int], object] | None = None,
) -> TrialResults:
    """Run independent decision trials of the float64 reference model.

    Each trial starts from x = 0 and eta = 0, with one top option at ``params.b_max`` and the
    other ``params.n - 1`` at ``params.b_low``, and steps the discrete model of
    ``reference/nwta.md`` (see the module docstring) until max_i x_i >= ``params.stop`` or
    ``params.max_steps`` steps have run. Only the still-running trials are stepped.

    Parameters
    ----------
    params : NetworkParams
        The network (``kind``, ``n``, constants, ``dt``, ``horizon``, ``latency``).
    trials : int
        Number of trials, positive.
    seed : int
        Seed of ``np.random.default_rng``, in 0..2**32-1 like every model's. The same
        arguments give the same results. The generator first draws one top index per trial
        (uniform over 0..n-1), then, per step, the standard normals of the trials still
        running.
    top : array of int, shape (trials,), optional
        Top-input option of each trial, overriding the random draw. The draw is still made
        and discarded, so the noise is the same with or without ``top``.
    progress : callable, optional
        ``progress(done_trials, trials)`` is called every so many steps and once at the end
        with ``done_trials == trials``.

    Returns
    -------
    TrialResults
        Winner, top, steps and decided per trial, and ``dt = params.dt``. The winner is the
        index of the largest x after the deciding step (lowest index on ties); undecided
        trials have winner -1 and steps ``params.max_steps``.

    Raises
    ------
    TypeError
        If ``params`` is not a :class:`NetworkParams`.
    ValueError
        If ``trials`` is not a positive integer, ``seed`` not an integer in 0..2**32-1, or
        ``top`` not ``trials`` integers in 0..n-1.
    """
    if not isinstance(params, NetworkParams):
        raise TypeError(f"Network parameters must be a NetworkParams, not {type(params).__name__}")
    trials = check_count("Trial count", trials, 1)
    seed = check_seed(seed)
    n = params.n
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, n, size=trials, dtype=np.int64)
    top = drawn if top is None else check_top(top, trials, n)

    gated = params.kind == "nwta"
    theta, alpha, beta, dt = params.theta, params.alpha, params.beta, params.dt
    a, c, stop = params.ou_a, params.ou_c, params.stop
    latency, max_steps = params.latency, params.max_steps

    winner = np.full(trials, -1, dtype=np.int64)
    steps = np.full(trials, max_steps, dtype=np.int64)
    decided = np.zeros(trials, dtype=bool)

    # State of the running trials only; `index` maps its rows to trial numbers.
    index = np.arange(trials)
    b = np.full((trials, n), params.b_low)
    b[index, top] = params.b_max
    x = np.zeros((trials, n))
    eta = np.zeros((trials, n))
    # history[k] holds g(x) of the step (t - latency) whose slot is t % latency.
    history = np.zeros((latency, trials, n)) if latency else None

    for t in range(max_steps):
        g = np.where(x >= theta, x, 0.0) if gated else (x.copy() if latency else x)
        if latency:
            slot = t % latency
            g, history[slot] = history[slot].copy(), g
        inh = g.sum(axis=1, keepdims=True) - g
        inh *= beta
        if c:
            eta *= a
            eta += c * rng.standard_normal(x.shape)
        r = alpha * x
        r += b
        r -= inh
        r += eta
        np.maximum(r, 0.0, out=r)
        r -= x
        r *= dt
        x += r

        done = x.max(axis=1) >= stop
        if done.any():
            rows = index[done]
            winner[rows] = np.argmax(x[done], axis=1)
            steps[rows] = t + 1
            decided[rows] = True
            keep = ~done
            index, b, x, eta = index[keep], b[keep], x[keep], eta[keep]
            if latency:
                history = history[:, keep]
            if not index.size:
                break
        if progress is not None and (t + 1) % _PROGRESS_EVERY == 0:
            progress(trials - int(index.size), trials)
    if progress is not None:
        progress(trials, trials)
    return TrialResults(winner=winner, top=top, steps=steps, decided=decided, dt=dt)
