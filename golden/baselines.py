"""Baselines for the parallelism benchmark: integrate each option for a fixed time, pick the max.

Kriener, Chaudhuri & Fiete compare nWTA with two strategies that integrate noisy evidence for a
fixed time per option and then take the arg-max:

- serial: one integrator samples the options one after another, T steps each (N*T steps, plus
  the running comparison);
- parallel fixed-time: N integrators for T steps at once, then a pipelined comparator-tree
  arg-max (T + ceil(log2 N) cycles).

Both see the same evidence as the nWTA neurons: option i's input b_i plus its own OU noise,
generated exactly as the network's (the same generators, seeding, Irwin-Hall samples and
saturating OU update, :mod:`gaba.golden.kernels`; docs/semantics.md), so that at equal T the
two strategies have the same accuracy and differ only in time. In fixed point, integrator i
accumulates ``b_i + eta_i`` (x's format) over T steps, exactly (its width grows by log2 T
bits); the winner is the lowest index holding the largest sum.
"""

from __future__ import annotations

import numba
import numpy as np

from gaba.golden import kernels, primitives
from gaba.golden.config import Config
from gaba.golden.jit import jit_parallel
from gaba.golden.validate import check_count, check_seed

__all__ = [
    "integrator_accuracy",
    "integrator_trials",
    "match_accuracy",
    "parallel_cycles",
    "serial_cycles",
]


@jit_parallel
def _integrate(n, seed, first, salts, a, c_xi, cf, eta_min, eta_max, b_hi, b_lo, steps, out):
    for j in numba.prange(out.shape[0]):
        key = kernels.trial_key(seed, first + j)
        master = kernels.trial_master(key)
        top = kernels.trial_top(key, n)
        rng = np.empty(n, np.int64)
        for i in range(n):
            rng[i] = kernels.neuron_seed(master, salts[i])
        eta = np.zeros(n, np.int64)
        acc = np.zeros(n, np.int64)
        for _ in range(steps):
            for i in range(n):
                s = kernels.xorshift32(rng[i], np.int64)
                rng[i] = s
                xi = kernels.irwin_hall4(s, np.int64)
                e, _ = kernels.ou_step(eta[i], xi, a, c_xi, cf, eta_min, eta_max, np.int64)
                eta[i] = e
                acc[i] += (b_hi if i == top else b_lo) + e
        winner = 0
        for i in range(1, n):
            if acc[i] > acc[winner]:
                winner = i
        out[j, 0] = winner
        out[j, 1] = top


def integrator_trials(
    cfg: Config, steps: int, trials: int, seed: int, *, first_trial: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Winner and top option of each trial of the fixed-time integrators (T = ``steps``)."""
    steps = check_count("Integration steps", steps, 1)
    trials = check_count("Trial count", trials, 1)
    seed = check_seed(seed)
    out = np.zeros((trials, 2), np.int64)
    _integrate(
        cfg.n,
        seed,
        first_trial,
        primitives.neuron_salts(cfg.n),
        cfg.ou_a_c,
        cfg.c_xi,
        cfg.coef_bits,
        cfg.eta_min,
        cfg.eta_max,
        cfg.b_hi,
        cfg.b_lo,
        steps,
        out,
    )
    return out[:, 0], out[:, 1]


def integrator_accuracy(cfg: Config, steps: int, trials: int, seed: int) -> float:
    """Fraction of trials whose integrator arg-max is the top option."""
    winner, top = integrator_trials(cfg, steps, trials, seed)
    return float(np.mean(winner == top))


def match_accuracy(
    cfg: Config, target: float, trials: int, seed: int, max_steps: int = 1 << 16
) -> tuple[int, float]:
    """Smallest T (steps per option) whose accuracy reaches ``target``, and that accuracy.

    Every T uses the same trials (common random numbers), so accuracy grows almost
    monotonically with T; the search doubles T, then bisects between the last two powers.
    """
    low, high = 0, 1
    acc_high = integrator_accuracy(cfg, high, trials, seed)
    while acc_high < target:
        if high >= max_steps:
            return max_steps, acc_high
        low, high = high, high * 2
        acc_high = integrator_accuracy(cfg, high, trials, seed)
    while high - low > 1:
        mid = (low + high) // 2
        acc = integrator_accuracy(cfg, mid, trials, seed)
        if acc >= target:
            high, acc_high = mid, acc
        else:
            low = mid
    return high, acc_high


def serial_cycles(n: int, steps: int) -> int:
    """Cycles of the serial strategy: T steps per option, one option after another."""
    return n * steps


def parallel_cycles(n: int, steps: int) -> int:
    """Cycles of the parallel fixed-time strategy: T steps, then a pipelined comparator tree."""
    return steps + (n - 1).bit_length()
