"""The hardware PRNG and Gaussian-noise approximation, defined once for golden model and HDL.

Everything here is 32-bit unsigned integer arithmetic (held in int64 so numba and NumPy agree,
masked to 32 bits after every left shift, multiply and add), and each function is written so
that it maps onto a handful of gates:

``xorshift32(s)``
    Marsaglia's xorshift with shifts (13, 17, 5): period 2**32 - 1 over the non-zero states.
    One per neuron; each clock it advances once and its 32 output bits make one noise sample.
``irwin_hall4(s)``
    The Gaussian approximation: the sum of the four bytes of ``s`` minus their mean 510. That is
    an Irwin-Hall sum of four uniforms on 0..255: mean 0, variance 4*(256**2 - 1)/12 = 21845
    (standard deviation :data:`XI_STD`), bounded at +-510 = +-3.45 standard deviations. The OU
    filter downstream sums several of them, so the noise the neurons see is closer to Gaussian
    still; ``gaba.golden.noisestats`` measures both (see docs/semantics.md).
``fmix32(h)``
    MurmurHash3's 32-bit finaliser (two multiplies by constants, three xor-shifts), a bijection:
    used once per trial, never per neuron per clock.

Seeding, chosen so that every trial is independent of the others (the golden model runs them
in parallel) and the hardware needs no per-neuron hash:

- trial key: ``key(t) = fmix32(seed) + t * WEYL (mod 2**32)``, a Weyl sequence the trial engine
  steps with one adder;
- trial master ``m(t) = fmix32(key(t))``; top-input option ``top(t) = (fmix32(key(t) ^ TOP_SALT)
  * n) >> 32`` (uniform over 0..n-1 up to 2**-32);
- neuron i's generator starts at ``(m(t) ^ NEURON_SALT[i]) | 1`` where ``NEURON_SALT[i] =
  fmix32(i + 1)`` is a constant wired into neuron i; forcing bit 0 keeps the state non-zero.
  Xorshift is linear, so neuron streams are the one maximal sequence at pseudo-random phases:
  two of 2**32 - 1 phases closer than a trial's length (about 1e4 steps) is a 1e-5 event.
"""

from __future__ import annotations

import numpy as np

from gaba.golden.jit import jit

__all__ = [
    "MASK32",
    "TOP_SALT",
    "WEYL",
    "XI_MEAN",
    "XI_STD",
    "fmix32",
    "irwin_hall4",
    "neuron_salts",
    "neuron_seeds",
    "trial_key",
    "trial_master",
    "trial_top",
    "xorshift32",
]

MASK32 = 0xFFFFFFFF
#: Increment of the trial-key Weyl sequence: 2**32 / golden ratio, odd.
WEYL = 0x9E3779B9
#: Salt that separates the top-option draw from the neuron seeds.
TOP_SALT = 0x5BD1E995
#: Offset that centres the Irwin-Hall sum of four bytes: 4 * 255 / 2.
XI_MEAN = 510
#: Standard deviation of :func:`irwin_hall4`: sqrt(4 * (256**2 - 1) / 12).
XI_STD = float(np.sqrt(4 * (256**2 - 1) / 12))


@jit
def xorshift32(s):
    """Advance a xorshift32 state (non-zero, < 2**32) by one step."""
    s ^= (s << 13) & 0xFFFFFFFF
    s ^= s >> 17
    s ^= (s << 5) & 0xFFFFFFFF
    return s


@jit
def irwin_hall4(s):
    """Centred sum of the four bytes of a 32-bit word: integer in -510..510."""
    return (s & 0xFF) + ((s >> 8) & 0xFF) + ((s >> 16) & 0xFF) + ((s >> 24) & 0xFF) - 510


@jit
def fmix32(h):
    """MurmurHash3 fmix32: a 32-bit bijection with full avalanche."""
    h &= 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


@jit
def trial_key(seed, trial):
    """Key of trial ``trial`` in the run seeded with ``seed`` (both < 2**32)."""
    return (fmix32(seed) + (trial & 0xFFFFFFFF) * 0x9E3779B9) & 0xFFFFFFFF


@jit
def trial_master(key):
    """Master word of a trial: neuron generators start from it."""
    return fmix32(key)


@jit
def trial_top(key, n):
    """Index of the top-input option of a trial, uniform over 0..n-1."""
    return (fmix32(key ^ 0x5BD1E995) * n) >> 32


def neuron_salts(n: int) -> np.ndarray:
    """The per-neuron constants ``fmix32(i + 1)`` for i in 0..n-1 (int64)."""
    return np.array([fmix32(i + 1) for i in range(n)], dtype=np.int64)


@jit
def _neuron_seeds(master, salts, out):
    for i in range(salts.shape[0]):
        out[i] = (master ^ salts[i]) | 1


def neuron_seeds(master: int, salts: np.ndarray) -> np.ndarray:
    """Initial xorshift32 states of all neurons for one trial."""
    out = np.empty(salts.shape[0], dtype=np.int64)
    _neuron_seeds(master, salts, out)
    return out
