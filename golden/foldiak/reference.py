"""Float reference of Földiák's anti-Hebbian layer, vectorised over independent runs.

The model of reference/foldiak.md, run literally in float64 NumPy (R runs at once). For each
presented pattern x (binary, m inputs):

Settling from y* = 0, ``settle_steps`` Euler steps of ``settle_dt`` (Jacobi: every unit from the
previous y*)::

    u_i   = sum_j q_ij x_j + sum_j w_ij y*_j - t_i
    y*_i += dt * (f(u_i) - y*_i)          f = logistic 1/(1 + exp(-lambda u)) or the hard
                                          sigmoid clip(0.5 + lambda u / 4, 0, 1)
    y_i   = 1 if y*_i > 0.5 else 0

Learning, once per presentation, on the binary outputs and from the state before the update::

    w_ij += -alpha (y_i y_j - p^2)   then w_ij = min(w_ij, 0), w_ii = 0
    q_ij +=  beta y_i (x_j - q_ij)
    t_i  +=  gamma (y_i - p)

The first ``pre_presentations`` presentations are the threshold pre-run (alpha = beta = 0,
gamma = pre_gamma). Initial w = 0, t = 0, and q_ij uniform on [0, 1) with each unit's weights
normalised to unit Euclidean length (the reference's suggestion; see :func:`initial_q`).
:data:`PAPER` holds the reference's float settings (logistic f, dt = 0.1 x 100 steps); the
hardware's (hard f, dt = 1/8 x 64) are the :class:`FoldiakParams` defaults, so the float model
can run both.

Random numbers: run r of a seed draws from ``np.random.default_rng(SeedSequence(seed,
spawn_key=(r, stream)))`` with stream 0 for the initial q, 1 for training patterns and 2 for
test patterns; runs are independent of how many run alongside.

:func:`train` returns a :class:`~gaba.golden.foldiak.results.Learned`, like the fixed-point
model.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gaba.golden.foldiak import bars
from gaba.golden.foldiak.config import FoldiakParams
from gaba.golden.foldiak.results import Learned, snapshot_points

__all__ = [
    "PAPER",
    "float_patterns",
    "initial_q",
    "learn",
    "respond",
    "run_rng",
    "settle",
    "sigmoid",
    "train",
]

#: The reference's float model: logistic sigmoid, Euler dt = 0.1 x 100 steps.
PAPER = FoldiakParams(settle_dt=0.1, settle_steps=100, sigmoid="logistic")

STREAM_INIT, STREAM_TRAIN, STREAM_TEST = 0, 1, 2


def run_rng(seed: int, run: int, stream: int) -> np.random.Generator:
    """The float model's generator of one run and stream (0 init, 1 training, 2 test)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(run, stream)))


def initial_q(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    """Uniform [0, 1) weights, each unit's normalised to unit Euclidean length.

    This reading of the reference's "normalised per unit" reproduces its learning curve and
    its learned ranges (t about [3.1, 3.5], w down to about -4.1); normalising each unit's SUM
    to 1 instead makes weights 7 times smaller and learning slower (about 8 bars at 1000
    presentations instead of 12), with thresholds near 1.5 (docs/foldiak.md).
    """
    q = rng.random((n, m))
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def sigmoid(params: FoldiakParams, u: np.ndarray) -> np.ndarray:
    """The output nonlinearity f(u) of ``params.sigmoid``."""
    if params.sigmoid == "logistic":
        return 1.0 / (1.0 + np.exp(-params.lam * u))
    return np.clip(0.5 + params.lam / 4 * u, 0.0, 1.0)


def settle(params: FoldiakParams, q, w, t, x, *, trace: bool = False):
    """Settled y* for patterns x [..., m] (batch dimensions shared with q [..., n, m] etc.).

    With ``trace``, also returns y* after every step ([steps + 1, ..., n]).
    """
    qx = np.einsum("...ij,...j->...i", q, x)
    ys = np.zeros(qx.shape)
    steps = [ys.copy()] if trace else None
    dt = params.settle_dt
    for _ in range(params.settle_steps):
        u = qx + np.einsum("...ij,...j->...i", w, ys) - t
        ys += dt * (sigmoid(params, u) - ys)
        if trace:
            steps.append(ys.copy())
    return (ys, np.array(steps)) if trace else ys


def learn(params: FoldiakParams, q, w, t, x, y, *, pre: bool = False) -> None:
    """One learning step in place (batched like :func:`settle`; ``y`` binary float)."""
    p = params
    if pre:
        t += p.pre_gamma * (y - p.p)
        return
    w -= p.alpha * (y[..., :, None] * y[..., None, :] - p.p**2)
    np.minimum(w, 0.0, out=w)
    n = w.shape[-1]
    w[..., np.arange(n), np.arange(n)] = 0.0
    q += p.beta * y[..., :, None] * (x[..., None, :] - q)
    t += p.gamma * (y - p.p)


def float_patterns(seed: int, runs: int, count: int, stream: int, *, first_run: int = 0, p=0.125):
    """Bars patterns of each run's stream: (uint8[R, count, 64], int64[R, count] masks)."""
    out = [bars.float_bars(run_rng(seed, first_run + r, stream), count, p) for r in range(runs)]
    return np.stack([o[0] for o in out]), np.stack([o[1] for o in out])


def train(
    params: FoldiakParams,
    runs: int,
    presentations: int,
    seed: int,
    *,
    patterns: np.ndarray | None = None,
    q0: np.ndarray | None = None,
    first_run: int = 0,
    snapshot_every: int = 0,
    progress: Callable[[int, int], object] | None = None,
) -> Learned:
    """Learn ``runs`` independent layers from scratch; see the module docstring.

    Parameters
    ----------
    params : FoldiakParams
        The layer (``PAPER`` for the reference's settings).
    runs, presentations : int
        Independent runs, and training presentations after the ``pre_presentations`` pre-run.
    seed : int
        Seed of the runs' generators (see :func:`run_rng`).
    patterns : uint8 array [R, P_total, m], optional
        The input sequence of each run, pre-run included; by default bars from each run's
        training stream (:func:`float_patterns`).
    q0 : array [R, n, m], optional
        Initial feed-forward weights (default: :func:`initial_q` from each run's init stream).
    snapshot_every : int
        Snapshot every so many training presentations (and at 0 and the end); 0: the end only.
    progress : callable, optional
        ``progress(done, total)`` in presentations, now and then.
    """
    n, m, pre = params.n, params.m, params.pre_presentations
    total = pre + presentations
    if patterns is None:
        if m != bars.M:
            raise ValueError(f"the bars problem needs m = {bars.M} inputs, not {m}")
        patterns = float_patterns(seed, runs, total, STREAM_TRAIN, first_run=first_run)[0]
    patterns = np.asarray(patterns)
    if patterns.shape != (runs, total, m):
        raise ValueError(f"patterns must have shape {(runs, total, m)}, not {patterns.shape}")
    if q0 is None:
        q = [initial_q(run_rng(seed, first_run + r, STREAM_INIT), n, m) for r in range(runs)]
        q = np.stack(q)
    else:
        q = np.array(q0, dtype=np.float64)
        if q.shape != (runs, n, m):
            raise ValueError(f"q0 must have shape {(runs, n, m)}, not {q.shape}")
    w = np.zeros((runs, n, n))
    t = np.zeros((runs, n))
    at = snapshot_points(presentations, snapshot_every)
    hist = {k: np.zeros((runs, at.size, *v.shape[1:])) for k, v in (("q", q), ("w", w), ("t", t))}
    ystar = np.zeros((runs, total, n))
    slot = 0
    for k in range(total):
        if slot < at.size and k - pre == at[slot]:
            hist["q"][:, slot], hist["w"][:, slot], hist["t"][:, slot] = q, w, t
            slot += 1
        x = patterns[:, k].astype(np.float64)
        ys = settle(params, q, w, t, x)
        ystar[:, k] = ys
        learn(params, q, w, t, x, (ys > 0.5).astype(np.float64), pre=k < pre)
        if progress is not None and (k + 1) % 200 == 0:
            progress(k + 1, total)
    if slot < at.size:
        hist["q"][:, slot], hist["w"][:, slot], hist["t"][:, slot] = q, w, t
    if progress is not None:
        progress(total, total)
    no = np.zeros(runs, bool)
    no_hist = np.zeros((runs, at.size), bool)
    return Learned(
        q=q,
        w=w,
        t=t,
        y=ystar > 0.5,
        ystar=ystar,
        snapshot_at=at,
        q_hist=hist["q"],
        w_hist=hist["w"],
        t_hist=hist["t"],
        w_sat=no,
        t_sat=no.copy(),
        w_sat_hist=no_hist,
        t_sat_hist=no_hist.copy(),
        pre_presentations=pre,
    )


def respond(params: FoldiakParams, q, w, t, x, *, batch: int = 250) -> np.ndarray:
    """Settled y* [R, K, n] of the learned layers (no learning) for patterns x [R, K, m]."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty((*x.shape[:2], params.n))
    for lo in range(0, x.shape[1], batch):
        xs = x[:, lo : lo + batch]
        out[:, lo : lo + batch] = settle(params, q[:, None], w[:, None], t[:, None], xs)
    return out
