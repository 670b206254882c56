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

It returns a :class:`~gaba.golden.results.TrialResults`, like the fixed-point golden model.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gaba.golden.params import NetworkParams
from gaba.golden.results import TrialResults
from gaba.golden.validate import check_count, check_seed, check_top

__all__ = ["simulate_float"]

#: Steps between calls of the ``progress`` callback (besides the final call).
_PROGRESS_EVERY = 1024


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
