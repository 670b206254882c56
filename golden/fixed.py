"""The fixed-point golden model of nWTA and conventional WTA: the executable specification.

One Euler step (one clock of the parallel hardware), for every neuron i from the state at
step t, with the integer constants of :class:`~gaba.golden.config.Config` and the primitives
of :mod:`gaba.golden.primitives` (``mulr`` is the round-half-up coefficient product, ``sat``
the OU update's clamp, :func:`~gaba.golden.primitives.ou_step`; L the inhibition latency):

0. ``x_i = X_i >> G``: the network reads the x register X (Q{x_int}.{F+G}) without its G =
   ``x_guard_bits`` guard bits.
1. ``g_i = x_i if x_i >= theta_q else 0`` (WTA: theta_q = 0, so g = x); ``S = sum_i g_i``.
   Both are also written to slot ``t mod (L+1)`` of a history of depth L+1.
2. ``D_i = min(S(t-L) - g_i(t-L), d_max)``; ``inh_i = mulr(D_i, beta_c)``. Before step L the
   history holds zeros (x(t < 0) = 0).
3. ``rng_i = xorshift32(rng_i)``; ``xi_i = irwin_hall4(rng_i)``;
   ``eta_i = sat(mulr(eta_i, ou_a_c) + mulr(xi_i, c_xi))`` to [eta_min, eta_max] (flag eta_sat).
4. ``pre_i = b_i + mulr(x_i, alpha_c) - inh_i + eta_i``;
   ``r_i = min(max(pre_i, 0), x_max)`` (flag r_sat when pre_i > x_max).
5. ``X_i = X_i + mulr(r_i * 2**G - X_i, k_dt)`` (stays in [0, x_max * 2**G]: a rounded convex
   step; the guard bits keep the increment's rounding residue, see Config.x_guard_bits).
6. Decision: if ``max_i x_i >= stop_q`` the trial ends after this step; the winner is the
   lowest index holding the maximum. A trial not decided after ``max_steps`` steps is
   undecided.

Two implementations, tested against each other: :func:`step` (NumPy, vectorised over neurons,
written to be read, calling the readable primitives through their module) with :func:`trace`
on top of it (the per-cycle trace for lockstep comparison), and the numba kernel behind
:func:`run_trials` (the per-trial API, parallel over trials, for trial-mode comparison and
sweeps) on their compiled twins, :mod:`gaba.golden.kernels`. Replacing a readable primitive
(``monkeypatch.setattr(primitives, "mulr", ...)``) perturbs :func:`step` and :func:`trace`
only, so a comparison with the kernel or the hardware must catch it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numba
import numpy as np

from gaba.golden import kernels, primitives
from gaba.golden.config import Config
from gaba.golden.jit import jit, jit_parallel
from gaba.golden.results import TrialResults
from gaba.golden.validate import check_count, check_int, check_seed, check_top

__all__ = [
    "FixedTrialResults",
    "State",
    "Trace",
    "decision",
    "gate",
    "initial_state",
    "kernel_args",
    "run_trials",
    "step",
    "trace",
    "view",
]


# The readable model ----------------------------------------------------------------------------


@dataclass
class State:
    """Complete state of the circuit between two steps (every register of the hardware)."""

    x: np.ndarray  # int64[n], the x register X: Q{x_int}.{F+G}, unsigned
    eta: np.ndarray  # int64[n], sQ{eta_int}.F
    rng: np.ndarray  # int64[n], xorshift32 states
    g_hist: np.ndarray  # int64[L+1, n], gated activations of the last L+1 steps
    s_hist: np.ndarray  # int64[L+1], their sums
    b: np.ndarray  # int64[n], inputs of this trial
    top: int  # the top-input option
    t: int = 0  # steps done
    eta_sat: bool = False  # sticky
    r_sat: bool = False  # sticky


def initial_state(cfg: Config, seed: int, trial: int = 0, top: int | None = None) -> State:
    """State at the start of trial ``trial`` of the run seeded with ``seed``."""
    seed = check_seed(seed)
    trial = check_count("Trial index", trial, 0)
    n = cfg.n
    key = primitives.trial_key(seed, trial)
    if top is None:
        top = primitives.trial_top(key, n)
    else:
        top = check_int("Top option", top, 0, n - 1)
    b = np.full(n, cfg.b_lo, dtype=np.int64)
    b[top] = cfg.b_hi
    depth = cfg.latency + 1
    return State(
        x=np.zeros(n, np.int64),
        eta=np.zeros(n, np.int64),
        rng=primitives.neuron_seed(primitives.trial_master(key), primitives.neuron_salts(n)),
        g_hist=np.zeros((depth, n), np.int64),
        s_hist=np.zeros(depth, np.int64),
        b=b,
        top=int(top),
    )


def view(cfg: Config, x_reg: np.ndarray) -> np.ndarray:
    """x as the network reads it: the x register without its guard bits (X >> G)."""
    return x_reg >> cfg.x_guard_bits


def gate(cfg: Config, x_reg: np.ndarray, theta_q: int | None = None) -> np.ndarray:
    """The second nonlinearity of the register's view x = X >> G: g(x) = x if x >= theta_q
    else 0 (x == theta_q is active); ``theta_q`` replaces the Config's (a core's register)."""
    x = view(cfg, x_reg)
    return np.where(x >= (cfg.theta_q if theta_q is None else theta_q), x, 0)


def step(cfg: Config, st: State, theta_q: int | None = None) -> State:
    """Advance ``st`` by one Euler step (in place) and return it (``theta_q``: as
    :func:`gate`'s)."""
    cf, depth = cfg.coef_bits, cfg.latency + 1
    if st.t == 0:  # history slot 0 holds g(x(0)), S(x(0)); for x = 0 these are zero
        g0 = gate(cfg, st.x, theta_q)
        st.g_hist[0], st.s_hist[0] = g0, g0.sum()
    # 2. inhibition from the state L steps ago: slot (t - L) mod (L + 1) = (t + 1) mod (L + 1)
    old = (st.t + 1) % depth
    d = np.minimum(st.s_hist[old] - st.g_hist[old], cfg.d_max)
    inh = primitives.mulr(d, cfg.beta_c, cf)
    # 3. noise
    st.rng = primitives.xorshift32(st.rng)
    xi = primitives.irwin_hall4(st.rng)
    st.eta, sat = primitives.ou_step(st.eta, xi, cfg.ou_a_c, cfg.c_xi, cf, cfg.eta_min, cfg.eta_max)
    st.eta_sat |= bool(np.any(sat))
    # 4. ReLU, saturating
    pre = st.b + primitives.mulr(view(cfg, st.x), cfg.alpha_c, cf) - inh + st.eta
    st.r_sat |= bool(np.any(pre > cfg.x_max))
    r = np.clip(pre, 0, cfg.x_max)
    # 5. Euler step of the register, towards r in its format
    st.x = st.x + primitives.mulr((r << cfg.x_guard_bits) - st.x, cfg.k_dt, cf)
    st.t += 1
    # 1. (for the next step) gate and sum of the new state, into slot t mod (L + 1)
    g = gate(cfg, st.x, theta_q)
    st.g_hist[st.t % depth] = g
    st.s_hist[st.t % depth] = g.sum()
    return st


def digest(cfg: Config, x: np.ndarray, eta: np.ndarray) -> int:
    """32-bit digest of a state: xor over i of rotl32(X_i | (eta_i mod 2**eta_bits) <<
    x_state_bits, i mod 32) (X the x register), bits above 32 dropped. One level of xor gates
    in hardware; any single changed neuron changes it."""
    w = (x | ((eta & ((1 << cfg.eta_bits) - 1)) << cfg.x_state_bits)) & primitives.MASK32
    rot = np.arange(x.shape[0]) % 32
    rotated = ((w << rot) & primitives.MASK32) | (w >> ((32 - rot) % 32))
    return int(np.bitwise_xor.reduce(rotated))


def decision(cfg: Config, st: State, stop_q: int | None = None) -> int:
    """Winner index if the stop rule holds in ``st`` (lowest index of the largest x = X >> G),
    else -1; ``stop_q`` replaces the Config's (a core's register)."""
    x = view(cfg, st.x)
    w = int(np.argmax(x))  # argmax returns the first maximum
    return w if x[w] >= (cfg.stop_q if stop_q is None else stop_q) else -1


@dataclass(frozen=True)
class Trace:
    """Per-cycle record of one trial: row t is the state after t steps (row 0: the start).

    ``x``, ``eta``, ``rng``, ``g`` are int64[steps+1, n]; ``s_sum`` (S of the row's state),
    ``eta_sat`` and ``r_sat`` (sticky flags) are [steps+1]. ``winner`` is -1 if the trace ended
    undecided (timeout or the ``steps`` limit).
    """

    config: Config
    top: int
    x: np.ndarray
    eta: np.ndarray
    rng: np.ndarray
    g: np.ndarray
    s_sum: np.ndarray
    eta_sat: np.ndarray
    r_sat: np.ndarray
    winner: int

    @property
    def steps(self) -> int:
        return self.x.shape[0] - 1

    def signals(self) -> dict[str, np.ndarray]:
        """The compared signals by name (per-neuron ones are [steps+1, n])."""
        return {
            "x": self.x,
            "eta": self.eta,
            "rng": self.rng,
            "g": self.g,
            "s_sum": self.s_sum,
            "eta_sat": self.eta_sat,
            "r_sat": self.r_sat,
        }


def trace(
    cfg: Config,
    seed: int,
    trial: int = 0,
    *,
    steps: int | None = None,
    top: int | None = None,
    run_on: bool = False,
    inputs: np.ndarray | None = None,
    hold: int = 1,
    theta_q: int | None = None,
    stop_q: int | None = None,
) -> Trace:
    """Per-cycle trace of one trial, from the readable model.

    Stops after the deciding step, at ``max_steps``, or after ``steps`` steps if given; with
    ``run_on`` it ignores the decision and runs exactly ``steps`` steps (the hardware network
    runs on while it is enabled). ``inputs`` (int64[K, n], each value in 0..b_hi) replaces
    the task's inputs: step t reads vector ``min(t // hold, K - 1)``
    (``gaba.golden.evidence``, which checks them, and gives ``theta_q`` and ``stop_q``, a
    core's registers, in place of the Config's).
    """
    limit = cfg.max_steps if steps is None else check_count("Step count", steps, 0)
    st = initial_state(cfg, seed, trial, top)
    rows = {k: [] for k in ("x", "eta", "rng", "g", "s_sum", "eta_sat", "r_sat")}
    winner = -1

    def record():
        g = gate(cfg, st.x, theta_q)
        for k, v in (
            ("x", st.x),
            ("eta", st.eta),
            ("rng", st.rng),
            ("g", g),
            ("s_sum", g.sum()),
            ("eta_sat", st.eta_sat),
            ("r_sat", st.r_sat),
        ):
            rows[k].append(np.copy(v))

    record()
    for _ in range(limit):
        if inputs is not None:
            st.b = inputs[min(st.t // hold, len(inputs) - 1)]
        step(cfg, st, theta_q)
        record()
        if winner < 0:
            winner = decision(cfg, st, stop_q)
        if winner >= 0 and not run_on:
            break
    arrays = {
        k: np.array(v, dtype=np.int64 if k not in ("eta_sat", "r_sat") else bool)
        for k, v in rows.items()
    }
    return Trace(config=cfg, top=st.top, winner=winner, **arrays)


# The fast kernel --------------------------------------------------------------------------------
#
# One source, compiled for two datapath types: int32 when Config.kernel_bits says every
# intermediate fits (16 SIMD lanes on AVX-512 instead of 8), int64 otherwise. Every operation
# is wrapped in T(...) because numba widens integer arithmetic to int64; for T = int32 that
# truncation is a no-op on values proven to fit, and lets LLVM keep 32-bit lanes. The
# primitives (gaba.golden.kernels) take T and are inlined, so they stay in those lanes too. The
# neuron generators are uint32 in both (U(...) truncates after each left shift).


@jit
def _trial(n, inputs, hold, rng, c, shape, out, T, U, cf):
    """One trial; ``rng`` holds the neurons' seeds. Writes winner, steps, flags, digest.

    ``inputs`` (type T, K x n) holds the trial's input vectors: step t reads vector
    ``min(t // hold, K - 1)`` (the task's trials have one). ``c`` holds the datapath constants
    (type T), ``shape`` the integers that are not; T and U are the datapath and generator
    types, ``cf`` the coefficient bits.
    """
    numba.literally(cf)  # compiled per value: every rounding shift is by a literal
    theta, d_max, beta, alpha, a, c_xi, k, eta_min, eta_max, x_max, stop = c
    latency, max_steps, x_bits, eta_mask, guard = shape
    last = inputs.shape[0] - 1
    depth = latency + 1
    x = np.zeros(n, T)
    eta = np.zeros(n, T)
    g_hist = np.zeros((depth, n), T)
    s_hist = np.zeros(depth, T)
    eta_sat = False
    r_sat = False
    winner = -1
    t = 0
    while t < max_steps:
        slot = (t + 1) % depth  # read g(x(t - L)), then write g(x(t + 1)) in its place
        s_old = s_hist[slot]
        g = g_hist[slot]
        s_new = T(0)
        x_top = T(0)
        b_now = inputs[min(t // hold, last)]
        for i in range(n):
            xr = x[i]
            xo = T(xr >> guard)
            d = T(min(T(s_old - g[i]), d_max))
            inh = kernels.mulr(d, beta, cf, T)
            s = kernels.xorshift32(rng[i], U)
            rng[i] = s
            xi = kernels.irwin_hall4(s, T)
            e, sat = kernels.ou_step(eta[i], xi, a, c_xi, cf, eta_min, eta_max, T)
            eta_sat |= sat
            eta[i] = e
            pre = T(T(T(b_now[i] + kernels.mulr(xo, alpha, cf, T)) - inh) + e)
            r_sat |= pre > x_max
            r = T(min(max(pre, T(0)), x_max))
            xrn = T(xr + kernels.mulr(T(T(r << guard) - xr), k, cf, T))
            x[i] = xrn
            xn = T(xrn >> guard)
            gn = xn if xn >= theta else T(0)
            g[i] = gn
            s_new = T(s_new + gn)
            x_top = max(x_top, xn)
        s_hist[slot] = s_new
        t += 1
        if x_top >= stop:
            for i in range(n):
                if T(x[i] >> guard) == x_top:
                    winner = i
                    break
            break
    # final-state digest (see digest()): xor over i of rotl32(X_i | eta_i << x_state_bits, i % 32)
    h = 0
    for i in range(n):
        w = (np.int64(x[i]) | ((np.int64(eta[i]) & eta_mask) << x_bits)) & 0xFFFFFFFF
        rot = i & 31
        h ^= ((w << rot) & 0xFFFFFFFF) | (w >> ((32 - rot) & 31))
    out[0] = winner
    out[1] = t
    out[2] = eta_sat
    out[3] = r_sat
    out[4] = h


@functools.cache
def _kernel(bits: int, cf: int):
    """The parallel trials kernel for datapath width ``bits`` and coefficient bits ``cf``.

    Both are compile-time constants (closure cells, which numba's cache key includes), so
    every rounding shift is by a literal and stays in 32-bit lanes. The cells hold only types
    and integers: a jitted function in a cell would pickle into the cache key with a
    per-process id, and the cache would miss (and grow) in every process.
    """
    T = np.int32 if bits == 32 else np.int64
    U = np.uint32

    @jit_parallel
    def trials(n, seed, first, tops, salts, b_hi, b_lo, c, shape, out):
        for j in numba.prange(out.shape[0]):
            key = kernels.trial_key(seed, first + j)
            master = kernels.trial_master(key)
            top = tops[j] if tops[j] >= 0 else kernels.trial_top(key, n)
            out[j, 5] = top
            rng = np.empty(n, U)
            for i in range(n):
                rng[i] = U(kernels.neuron_seed(master, salts[i]))
            inputs = np.full((1, n), b_lo, T)
            inputs[0, top] = b_hi
            _trial(n, inputs, 1, rng, c, shape, out[j], T, U, cf)

    return trials


#: The datapath constants the kernels take, in their order (``_trial``'s ``c``).
_CONSTANTS = (
    "theta_q",
    "d_max",
    "beta_c",
    "alpha_c",
    "ou_a_c",
    "c_xi",
    "k_dt",
    "eta_min",
    "eta_max",
    "x_max",
    "stop_q",
)


def kernel_args(cfg: Config, *, evidence: bool = False, **registers):
    """The kernel for ``cfg``'s datapath width, that width's integer type, the constants and
    the shape integers. ``registers`` (``theta_q``, ``stop_q``, ``max_steps``) replace the
    Config's values, as an evidence core's run-time registers do."""
    bits = 32 if cfg.kernel_bits <= 32 else 64
    T = np.int32 if bits == 32 else np.int64
    kernel = (_evidence_kernel if evidence else _kernel)(bits, cfg.coef_bits)
    values = {name: getattr(cfg, name) for name in (*_CONSTANTS, "max_steps")}
    unknown = sorted(set(registers) - {"theta_q", "stop_q", "max_steps"})
    if unknown:
        raise TypeError(f"kernel_args: no register {', '.join(unknown)}")
    values.update(registers)
    consts = tuple(T(values[name]) for name in _CONSTANTS)
    shape = (
        cfg.latency,
        values["max_steps"],
        cfg.x_state_bits,
        (1 << cfg.eta_bits) - 1,
        cfg.x_guard_bits,
    )
    return kernel, T, consts, shape


@functools.cache
def _evidence_kernel(bits: int, cf: int):
    """The parallel kernel of evidence-in trials (see :func:`_kernel` for the two constants):
    trial j's vectors are rows ``offsets[j] .. offsets[j + 1] - 1`` of ``flat``; its
    generators are seeded from trial key ``first + j`` when ``noise`` (else left at 1: with
    c_xi = 0 they feed nothing)."""
    T = np.int32 if bits == 32 else np.int64
    U = np.uint32

    @jit_parallel
    def trials(n, seed, first, salts, noise, flat, offsets, hold, c, shape, out):
        for j in numba.prange(out.shape[0]):
            rng = np.ones(n, U)
            if noise:
                master = kernels.trial_master(kernels.trial_key(seed, first + j))
                for i in range(n):
                    rng[i] = U(kernels.neuron_seed(master, salts[i]))
            inputs = flat[offsets[j] : offsets[j + 1]]
            _trial(n, inputs, hold, rng, c, shape, out[j], T, U, cf)

    return trials


@dataclass(frozen=True, eq=False)
class FixedTrialResults(TrialResults):
    """Per-trial results of the fixed-point model, with its saturation flags and state digest."""

    eta_sat: np.ndarray = None  # bool[trials], sticky flag at the end of the trial
    r_sat: np.ndarray = None  # bool[trials]
    state_hash: np.ndarray = None  # int64[trials], digest() of the final state


def run_trials(
    cfg: Config,
    trials: int,
    seed: int,
    *,
    first_trial: int = 0,
    top: np.ndarray | None = None,
    progress=None,
    chunk: int = 0,
) -> FixedTrialResults:
    """Run trials ``first_trial .. first_trial + trials - 1`` of the run seeded with ``seed``.

    Each trial is independent (its inputs and noise come from ``(seed, trial index)`` only), so
    any slice of a run reproduces the same trials. ``top`` optionally fixes each trial's
    top-input option; ``progress(done, total)`` is called between chunks of trials.
    """
    trials = check_count("Trial count", trials, 1)
    seed = check_seed(seed)
    first_trial = check_count("First trial", first_trial, 0)
    n = cfg.n
    tops = np.full(trials, -1, np.int64) if top is None else check_top(top, trials, n)
    out = np.zeros((trials, 6), np.int64)
    salts = primitives.neuron_salts(n)
    kernel, T, consts, shape = kernel_args(cfg)
    b_hi, b_lo = T(cfg.b_hi), T(cfg.b_lo)
    chunk = chunk or (trials if progress is None else max(8, min(trials, 2048 * 64 // n)))
    for lo in range(0, trials, chunk):
        hi = min(trials, lo + chunk)
        kernel(n, seed, first_trial + lo, tops[lo:hi], salts, b_hi, b_lo, consts, shape, out[lo:hi])
        if progress is not None:
            progress(hi, trials)
    return FixedTrialResults(
        winner=out[:, 0].copy(),
        top=out[:, 5].copy(),
        steps=out[:, 1].copy(),
        decided=out[:, 0] >= 0,
        dt=cfg.params.dt,
        eta_sat=out[:, 2].astype(bool),
        r_sat=out[:, 3].astype(bool),
        state_hash=out[:, 4].copy(),
    )
