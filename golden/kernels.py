"""The primitives compiled for the kernels: numba twins of :mod:`gaba.golden.primitives`.

Every numba kernel of the golden models (the nWTA trials kernel, the fixed-time integrators,
the Földiák layer and its pattern sources) calls these and writes none of them again; the
specification, and the documentation of each function, is :mod:`gaba.golden.primitives`.
tests/golden/test_primitives.py holds each twin equal to its readable original.

Same names and arithmetic, with one more argument where the datapath type matters: ``T``, the
NumPy integer type (``np.int32`` or ``np.int64``) the calling kernel computes in. numba widens
integer arithmetic to int64, so each operation is wrapped in ``T(...)``: with T = int32 that
truncation is a no-op on values proven to fit (``Config.kernel_bits``) and lets LLVM keep
32-bit SIMD lanes; with T = int64 it changes nothing. A generator state may be a ``np.uint32``
or a 32-bit value held in int64 (``xorshift32`` takes its type ``U``). All are compiled with
``inline="always"`` (:func:`gaba.golden.jit.jit_inline`): each call is inlined into the kernel
before typing, so the caller's types and constants (``T``, ``cf``) flow through as if the code
were written in place.

:func:`xorshift32_words` runs independent generators for a number of steps each: the words
the Földiák layer's initial weights and pattern sources are drawn from.
"""

from __future__ import annotations

import numpy as np

from gaba.golden.jit import jit, jit_inline
from gaba.golden.primitives import MASK32, TOP_SALT, WEYL, XI_MEAN

__all__ = [
    "fmix32",
    "irwin_hall4",
    "mulr",
    "neuron_seed",
    "ou_step",
    "trial_key",
    "trial_master",
    "trial_top",
    "xorshift32",
    "xorshift32_words",
]


# Arithmetic ------------------------------------------------------------------------------------


@jit_inline
def mulr(v, c, cf, T):
    return T(T(T(v * c) + T(1 << (cf - 1))) >> cf)


@jit_inline
def ou_step(eta, xi, a, c_xi, cf, eta_min, eta_max, T):
    e = T(mulr(eta, a, cf, T) + mulr(xi, c_xi, cf, T))
    return T(min(max(e, eta_min), eta_max)), (e < eta_min) | (e > eta_max)


# PRNG and noise --------------------------------------------------------------------------------


@jit_inline
def xorshift32(s, U):
    s = U(s ^ ((s << 13) & MASK32))
    s = U(s ^ (s >> 17))
    return U(s ^ ((s << 5) & MASK32))


@jit_inline
def irwin_hall4(s, T):
    low = T(T(s & 0xFF) + T((s >> 8) & 0xFF))
    high = T(T((s >> 16) & 0xFF) + T((s >> 24) & 0xFF))
    return T(T(low + high) - XI_MEAN)


@jit_inline
def fmix32(h):
    h &= MASK32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK32
    return h ^ (h >> 16)


# Seeding ---------------------------------------------------------------------------------------


@jit_inline
def trial_key(seed, trial):
    return (fmix32(seed) + (trial & MASK32) * WEYL) & MASK32


@jit_inline
def trial_master(key):
    return fmix32(key)


@jit_inline
def trial_top(key, n):
    return (fmix32(key ^ TOP_SALT) * n) >> 32


@jit_inline
def neuron_seed(master, salt):
    return (master ^ salt) | 1


# Streams ---------------------------------------------------------------------------------------


@jit
def xorshift32_words(states, out):
    """``out[r, k]``: generator r's state after k + 1 more steps, for int64[R] xorshift32
    ``states`` (advanced in place past the last word) and int64[R, K] ``out``."""
    for r in range(out.shape[0]):
        s = states[r]
        for k in range(out.shape[1]):
            s = xorshift32(s, np.int64)
            out[r, k] = s
        states[r] = s
