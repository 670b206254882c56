"""Fixed-point golden model of Földiák's anti-Hebbian layer: the bit-level specification.

Every value is an integer of the width given by :class:`~gaba.golden.foldiak.config.
FoldiakConfig` (F = ``frac_bits``, CF = ``coef_bits``, ``mulr(v, C) = (v*C + 2**(CF-1)) >> CF``
with a flooring shift: round half up). One presentation of a binary pattern x:

Settling (``settle_steps`` synchronous steps from y* = 0; every unit from the previous y*)::

    qx_i  = sum_j q_ij x_j                       exact (a masked sum), once per presentation
    L_i   = sum_j w_ij y*_j                      exact (w_ii = 0)
    lat_i = (L_i + 2**(F-1)) >> F                round half up, once
    u_i   = qx_i + lat_i - t_i                   exact
    f_i   = clamp(2**(F-1) + mulr(u_i, slope_c), 0, 2**F)      hard sigmoid, slope lambda/4
    y*_i  = y*_i + mulr(f_i - y*_i, settle_c)    rounded convex step: stays in [0, 2**F - 1]
    y_i   = y*_i > 2**(F-1)

Learning (all from the same y, x and the state before the update; the first
``pre_presentations`` presentations update t only, with the pre-run's increments)::

    w_ij = w_ij - dw_on  if y_i and y_j  else  w_ij + dw_off      (i != j)
           then min(w_ij, 0); below w_min_q: w_min_q and the sticky flag w_sat; w_ii = 0
    q_ij = q_ij + mulr((x_j << F) - q_ij, beta_c)  if y_i   (stays in [0, 2**F - 1])
    t_i  = t_i + dt_on  if y_i  else  t_i - dt_off
           outside [t_min_q, t_max_q]: clamped, sticky flag t_sat

Sums are exact, so a folded circuit may accumulate them in any order.

Random numbers (the project's xorshift32 and fmix32, :mod:`gaba.golden.primitives`): run r of a
seed has three independent streams, each a xorshift32 generator started at
``fmix32(trial_key(seed, r) ^ STREAM) | 1`` (``trial_key(seed, r) = fmix32(seed) + r *
0x9E3779B9 mod 2**32``) with STREAM = :data:`STREAM_INIT`, :data:`STREAM_TRAIN` or
:data:`STREAM_TEST`:

- initial weights: for i in 0..n-1, for j in 0..m-1: one step, ``q_ij = state >> (32 -
  q_init_bits)`` (uniform [0, q_init)); w = 0 and t = 0;
- training patterns (pre-run first, then training): the pattern source draws from the training
  stream (bars: two steps per pattern, :func:`gaba.golden.foldiak.bars.prng_bars`);
- test patterns: the same source on the test stream.

Two implementations, tested against each other: :func:`settle`, :func:`learn` and
:func:`present` (NumPy, one run, written to be read) with :func:`trace` on top (the state after
every presentation), and the numba kernels behind :func:`train` (R runs x P presentations in
parallel over runs, with snapshots for learning curves) and :func:`respond` (settling only, for
test patterns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from gaba.golden import kernels, primitives
from gaba.golden.foldiak import bars
from gaba.golden.foldiak.config import LEARNING_CONSTANTS, FoldiakConfig
from gaba.golden.foldiak.results import Learned, snapshot_points
from gaba.golden.jit import jit, jit_parallel
from gaba.golden.validate import check_count, check_seed

__all__ = [
    "STREAM_INIT",
    "STREAM_TEST",
    "STREAM_TRAIN",
    "State",
    "Trace",
    "initial_q",
    "initial_state",
    "learn",
    "present",
    "respond",
    "settle",
    "sigmoid",
    "stream_seed",
    "stream_seeds",
    "test_patterns",
    "trace",
    "train",
]

#: Stream constants (ASCII "INIT", "TRAN", "TEST").
STREAM_INIT = 0x494E4954
STREAM_TRAIN = 0x5452414E
STREAM_TEST = 0x54455354

#: A pattern source: ``source(states, count)`` draws ``count`` patterns per xorshift32 state
#: (int64[R], advanced in place) and returns (uint8[R, count, m], int64[R, count] labels).
Source = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


# Random streams ----------------------------------------------------------------------------


def stream_seed(seed: int, run: int, stream: int) -> int:
    """Start state of one xorshift32 stream of one run (see the module docstring)."""
    return int(primitives.fmix32(primitives.trial_key(seed, run) ^ stream)) | 1


def stream_seeds(seed: int, runs: int, stream: int, first_run: int = 0) -> np.ndarray:
    """int64[runs]: start states of a stream for runs first_run .. first_run + runs - 1."""
    seed = check_seed(seed)
    return np.array([stream_seed(seed, first_run + r, stream) for r in range(runs)], np.int64)


def initial_q(cfg: FoldiakConfig, seed: int, runs: int = 1, first_run: int = 0) -> np.ndarray:
    """int64[runs, n, m]: initial feed-forward weights from the runs' init streams."""
    words = np.empty((runs, cfg.n, cfg.m), np.int64)
    kernels.xorshift32_words(
        stream_seeds(seed, runs, STREAM_INIT, first_run), words.reshape(runs, -1)
    )
    return words >> (32 - cfg.q_init_bits)


def test_patterns(
    seed: int, runs: int, count: int, *, source: Source = bars.prng_bars, first_run: int = 0
):
    """``count`` test patterns per run from the runs' test streams: (patterns, labels)."""
    return source(stream_seeds(seed, runs, STREAM_TEST, first_run), count)


# The readable model ----------------------------------------------------------------------------


@dataclass
class State:
    """Complete state of one layer between presentations (every register of the hardware)."""

    q: np.ndarray  # int64[n, m], Q0.F
    w: np.ndarray  # int64[n, n], sQ.F, symmetric, <= 0, zero diagonal
    t: np.ndarray  # int64[n], sQ.F
    w_sat: bool = False  # sticky
    t_sat: bool = False  # sticky
    presentations: int = 0  # done so far, pre-run included


def initial_state(cfg: FoldiakConfig, seed: int, run: int = 0) -> State:
    """State of run ``run`` before its first presentation."""
    return State(
        q=initial_q(cfg, seed, 1, run)[0],
        w=np.zeros((cfg.n, cfg.n), np.int64),
        t=np.zeros(cfg.n, np.int64),
    )


def sigmoid(cfg: FoldiakConfig, u: np.ndarray) -> np.ndarray:
    """The hard sigmoid f = clamp(2**(F-1) + mulr(u, slope_c), 0, 2**F)."""
    return np.clip(cfg.half + primitives.mulr(u, cfg.slope_c, cfg.coef_bits), 0, cfg.one)


def settle(cfg: FoldiakConfig, q, w, t, x, *, trace: bool = False):
    """Settled y* (int64[n]) for one binary pattern x; with ``trace`` also y* after every step
    (int64[steps + 1, n], row 0 the start)."""
    x = np.asarray(x).astype(bool)
    qx = q[:, x].sum(axis=1)  # exact masked sum
    ys = np.zeros(cfg.n, np.int64)
    rows = [ys] if trace else None
    for _ in range(cfg.settle_steps):
        lat = (w @ ys + cfg.half) >> cfg.frac_bits  # exact integer products and sum
        f = sigmoid(cfg, qx + lat - t)
        ys = ys + primitives.mulr(f - ys, cfg.settle_c, cfg.coef_bits)
        if trace:
            rows.append(ys)
    return (ys, np.array(rows)) if trace else ys


def learn(cfg: FoldiakConfig, st: State, x, y, *, pre: bool = False) -> State:
    """One learning step of ``st`` (in place) from binary pattern x and outputs y."""
    y = np.asarray(y).astype(bool)
    if pre:
        on, off = cfg.pre_dt_on, cfg.pre_dt_off
    else:
        on, off = cfg.dt_on, cfg.dt_off
        w = st.w + np.where(y[:, None] & y[None, :], -cfg.dw_on, cfg.dw_off)
        w = np.minimum(w, 0)
        np.fill_diagonal(w, 0)
        st.w_sat |= bool(np.any(w < cfg.w_min_q))
        st.w = np.maximum(w, cfg.w_min_q)
        target = np.asarray(x).astype(np.int64) << cfg.frac_bits
        step = primitives.mulr(target[None, :] - st.q, cfg.beta_c, cfg.coef_bits)
        st.q = np.where(y[:, None], st.q + step, st.q)
    t = st.t + np.where(y, on, -off)
    st.t_sat |= bool(np.any((t < cfg.t_min_q) | (t > cfg.t_max_q)))
    st.t = np.clip(t, cfg.t_min_q, cfg.t_max_q)
    return st


def present(cfg: FoldiakConfig, st: State, x) -> np.ndarray:
    """Settle on x, learn (the pre-run's rule during the pre-run), return y* (int64[n])."""
    ys = settle(cfg, st.q, st.w, st.t, x)
    learn(cfg, st, x, ys > cfg.half, pre=st.presentations < cfg.pre_presentations)
    st.presentations += 1
    return ys


@dataclass(frozen=True)
class Trace:
    """Per-presentation record of one run: row k of q, w, t, w_sat, t_sat is the state after k
    presentations (row 0 the start, the pre-run included); x, labels, ystar and y are the k-th
    presentation's ([P_total] rows). ``settle`` holds y* after every settling step of the first
    presentation ([steps + 1, n])."""

    config: FoldiakConfig
    x: np.ndarray
    labels: np.ndarray
    q: np.ndarray
    w: np.ndarray
    t: np.ndarray
    w_sat: np.ndarray
    t_sat: np.ndarray
    ystar: np.ndarray
    y: np.ndarray
    settle: np.ndarray

    def signals(self) -> dict[str, np.ndarray]:
        """The state signals by name (first axis: presentations done)."""
        return {"q": self.q, "w": self.w, "t": self.t, "w_sat": self.w_sat, "t_sat": self.t_sat}


def trace(
    cfg: FoldiakConfig,
    seed: int,
    run: int = 0,
    presentations: int = 0,
    *,
    source: Source = bars.prng_bars,
) -> Trace:
    """The readable model's record of run ``run``: the pre-run, then ``presentations``."""
    seed = check_seed(seed)
    presentations = check_count("Presentation count", presentations, 0)
    total = cfg.pre_presentations + presentations
    x, labels = source(stream_seeds(seed, 1, STREAM_TRAIN, run), total)
    x, labels = x[0], labels[0]
    st = initial_state(cfg, seed, run)
    rows = {k: [v] for k, v in (("q", st.q), ("w", st.w), ("t", st.t))}
    flags = {"w_sat": [False], "t_sat": [False]}
    ystar = []
    first = np.zeros((cfg.settle_steps + 1, cfg.n), np.int64)
    for k in range(total):
        if k == 0:
            first = settle(cfg, st.q, st.w, st.t, x[k], trace=True)[1]
        ystar.append(present(cfg, st, x[k]))
        for name in rows:
            rows[name].append(getattr(st, name).copy())
        flags["w_sat"].append(st.w_sat)
        flags["t_sat"].append(st.t_sat)
    ystar = np.array(ystar, np.int64).reshape(total, cfg.n)
    return Trace(
        config=cfg,
        x=x,
        labels=labels,
        **{k: np.array(v, np.int64) for k, v in rows.items()},
        **{k: np.array(v, bool) for k, v in flags.items()},
        ystar=ystar,
        y=ystar > cfg.half,
        settle=first,
    )


# The fast kernels ---------------------------------------------------------------------------
#
# Plain int64 loops (Config.kernel_bits <= 63 is checked). The constants travel in one int64
# array, indexed by the names below.

_CONSTS = ("frac_bits", "coef_bits", "settle_steps", "pre_presentations", *LEARNING_CONSTANTS)


def _consts(cfg: FoldiakConfig) -> np.ndarray:
    return np.array([getattr(cfg, name) for name in _CONSTS], np.int64)


@jit
def _settle(q, w, t, x, c, ys, f, qx):
    """Settle on pattern x (uint8[m]); y* left in ys. f and qx are scratch."""
    n, m = q.shape
    fb, cf, steps, slope, dt = c[0], c[1], c[2], c[4], c[5]
    half, one = 1 << (fb - 1), 1 << fb
    for i in range(n):
        acc = 0
        for j in range(m):
            if x[j]:
                acc += q[i, j]
        qx[i] = acc
        ys[i] = 0
    for _ in range(steps):
        for i in range(n):
            acc = 0
            for j in range(n):
                acc += w[i, j] * ys[j]
            u = qx[i] + ((acc + half) >> fb) - t[i]
            fi = half + kernels.mulr(u, slope, cf, np.int64)
            f[i] = min(max(fi, 0), one)
        for i in range(n):
            ys[i] += kernels.mulr(f[i] - ys[i], dt, cf, np.int64)


@jit
def _learn(q, w, t, sat, x, ys, pre, c):
    """One learning step in place; sat[0], sat[1] are the sticky w_sat, t_sat."""
    n, m = q.shape
    fb, cf, beta = c[0], c[1], c[6]
    half, one = 1 << (fb - 1), 1 << fb
    if pre:
        on, off = c[11], c[12]
    else:
        on, off = c[9], c[10]
        dw_on, dw_off, w_min = c[7], c[8], c[13]
        for i in range(n):
            yi = ys[i] > half
            for j in range(n):
                if i == j:
                    w[i, j] = 0
                    continue
                v = w[i, j] - dw_on if (yi and ys[j] > half) else w[i, j] + dw_off
                v = min(v, 0)
                if v < w_min:
                    v = w_min
                    sat[0] = 1
                w[i, j] = v
        for i in range(n):
            if ys[i] > half:
                for j in range(m):
                    target = one if x[j] else 0
                    q[i, j] += kernels.mulr(target - q[i, j], beta, cf, np.int64)
    t_min, t_max = c[14], c[15]
    for i in range(n):
        v = t[i] + on if ys[i] > half else t[i] - off
        if v < t_min or v > t_max:
            v = min(max(v, t_min), t_max)
            sat[1] = 1
        t[i] = v


@jit_parallel
def _train_chunk(q, w, t, sat, x, first, c, ystar, snap, q_hist, w_hist, t_hist, sat_hist):
    """Present x[r, k] (k = 0..K-1, after ``first`` presentations) to run r, all runs in
    parallel; ystar[r, k] receives y*; snap[k] >= 0 names the history slot that receives the
    state after presentation k."""
    runs, count = x.shape[0], x.shape[1]
    n = q.shape[1]
    n_pre = c[3]
    for r in numba.prange(runs):
        f = np.empty(n, np.int64)
        qx = np.empty(n, np.int64)
        ys = np.empty(n, np.int64)
        for k in range(count):
            _settle(q[r], w[r], t[r], x[r, k], c, ys, f, qx)
            ystar[r, k] = ys
            _learn(q[r], w[r], t[r], sat[r], x[r, k], ys, first + k < n_pre, c)
            s = snap[k]
            if s >= 0:
                q_hist[r, s] = q[r]
                w_hist[r, s] = w[r]
                t_hist[r, s] = t[r]
                sat_hist[r, s] = sat[r]


@jit_parallel
def _respond(q, w, t, x, c, ystar):
    runs, count = x.shape[0], x.shape[1]
    n = q.shape[1]
    for job in numba.prange(runs * count):
        r, k = job // count, job % count
        f = np.empty(n, np.int64)
        qx = np.empty(n, np.int64)
        ys = np.empty(n, np.int64)
        _settle(q[r], w[r], t[r], x[r, k], c, ys, f, qx)
        ystar[r, k] = ys


def _patterns(source: Source, states: np.ndarray, count: int, m: int):
    x, labels = source(states, count)
    if x.shape != (states.shape[0], count, m) or x.dtype != np.uint8:
        raise ValueError(
            f"pattern source must return uint8 patterns of shape {(states.shape[0], count, m)}, "
            f"not {x.dtype} {x.shape}"
        )
    return x, labels


def train(
    cfg: FoldiakConfig,
    runs: int,
    presentations: int,
    seed: int,
    *,
    first_run: int = 0,
    source: Source = bars.prng_bars,
    snapshot_every: int = 0,
    progress: Callable[[int, int], object] | None = None,
    chunk: int = 250,
) -> Learned:
    """Learn runs ``first_run .. first_run + runs - 1`` of a seed: pre-run, then
    ``presentations`` training presentations, all runs in parallel.

    Each run depends on (seed, run index) only, so any slice of runs reproduces the same runs.
    Snapshots (``snapshot_every`` > 0) are taken every so many training presentations, at 0
    (after the pre-run) and at the end; ``progress(done, total)`` counts presentations.
    """
    runs = check_count("Run count", runs, 1)
    presentations = check_count("Presentation count", presentations, 0)
    seed = check_seed(seed)
    first_run = check_count("First run", first_run, 0)
    chunk = check_count("Chunk", chunk, 1)
    n, m, pre = cfg.n, cfg.m, cfg.pre_presentations
    total = pre + presentations
    q = initial_q(cfg, seed, runs, first_run)
    w = np.zeros((runs, n, n), np.int64)
    t = np.zeros((runs, n), np.int64)
    sat = np.zeros((runs, 2), np.int64)
    states = stream_seeds(seed, runs, STREAM_TRAIN, first_run)
    at = snapshot_points(presentations, snapshot_every)
    q_hist = np.zeros((runs, at.size, n, m), np.int64)
    w_hist = np.zeros((runs, at.size, n, n), np.int64)
    t_hist = np.zeros((runs, at.size, n), np.int64)
    sat_hist = np.zeros((runs, at.size, 2), np.int64)
    slot_of = {int(a) + pre: s for s, a in enumerate(at)}  # presentations done -> slot
    if 0 in slot_of:
        q_hist[:, slot_of[0]] = q
    ystar = np.empty((runs, total, n), np.int64)
    consts = _consts(cfg)
    for lo in range(0, total, chunk):
        k = min(chunk, total - lo)
        x, _ = _patterns(source, states, k, m)
        snap = np.array([slot_of.get(lo + i + 1, -1) for i in range(k)], np.int64)
        _train_chunk(
            q,
            w,
            t,
            sat,
            x,
            lo,
            consts,
            ystar[:, lo : lo + k],
            snap,
            q_hist,
            w_hist,
            t_hist,
            sat_hist,
        )
        if progress is not None:
            progress(lo + k, total)
    return Learned(
        q=q,
        w=w,
        t=t,
        y=ystar > cfg.half,
        ystar=ystar,
        snapshot_at=at,
        q_hist=q_hist,
        w_hist=w_hist,
        t_hist=t_hist,
        w_sat=sat[:, 0].astype(bool),
        t_sat=sat[:, 1].astype(bool),
        w_sat_hist=sat_hist[:, :, 0].astype(bool),
        t_sat_hist=sat_hist[:, :, 1].astype(bool),
        pre_presentations=pre,
        scale=float(cfg.one),
    )


def respond(cfg: FoldiakConfig, q, w, t, x) -> np.ndarray:
    """Settled y* (int64[R, K, n]) of R learned layers for patterns x (uint8[R, K, m]); no
    learning."""
    x = np.ascontiguousarray(x, dtype=np.uint8)
    q, w, t = (np.ascontiguousarray(v, dtype=np.int64) for v in (q, w, t))
    ystar = np.empty((*x.shape[:2], cfg.n), np.int64)
    _respond(q, w, t, x, _consts(cfg), ystar)
    return ystar
