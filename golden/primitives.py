"""The golden models' integer primitives, written to be read: the specification.

Every fixed-point model and circuit of gaba is built from these few functions, defined here
once for the golden models and mirrored gate by gate in ``gaba.hdl.arith``. They are plain
Python: they work on Python ints and, element by element, on int64 NumPy arrays (where a
product of two 32-bit words may wrap modulo 2**64, which leaves the low 32 bits that are kept
exact). :mod:`gaba.golden.kernels` holds their numba twins, which every kernel calls;
tests/golden/test_primitives.py holds the two sets equal. The readable models call them
through this module (``primitives.mulr(...)``), so that a test can perturb one of them with
``monkeypatch.setattr(primitives, "mulr", ...)`` and check that a comparison catches it.

Arithmetic:

``mulr(v, c, cf)``
    The one rounding rule of every product with a coefficient: ``(v*c + 2**(cf-1)) >> cf``
    with an arithmetic (flooring) shift, that is ``v*c/2**cf`` rounded half up (towards
    +infinity), for negative v too.
``ou_step(eta, xi, a, c_xi, cf, eta_min, eta_max)``
    One step of the Ornstein-Uhlenbeck noise: ``mulr(eta, a) + mulr(xi, c_xi)`` saturated to
    [eta_min, eta_max], and whether it saturated.

The PRNG and the Gaussian-noise approximation, 32-bit unsigned arithmetic (masked to 32 bits
after every left shift, multiply and add), each a handful of gates:

``xorshift32(s)``
    Marsaglia's xorshift with shifts (13, 17, 5): period 2**32 - 1 over the non-zero states.
    One per neuron; each clock it advances once and its 32 output bits make one noise sample.
``irwin_hall4(s)``
    The Gaussian approximation: the sum of the four bytes of ``s`` minus their mean
    :data:`XI_MEAN` = 510. That is an Irwin-Hall sum of four uniforms on 0..255: mean 0,
    variance 4*(256**2 - 1)/12 = 21845 (standard deviation :data:`XI_STD`), bounded at +-510 =
    +-3.45 standard deviations. The OU filter downstream sums several of them, so the noise the
    neurons see is closer to Gaussian still; ``gaba.golden.noisestats`` measures both (see
    docs/semantics.md).
``fmix32(h)``
    MurmurHash3's 32-bit finaliser (two multiplies by constants, three xor-shifts), a bijection:
    used once per trial, never per neuron per clock.

Seeding, chosen so that every trial is independent of the others (the golden model runs them
in parallel) and the hardware needs no per-neuron hash:

- trial key: ``trial_key(seed, t) = fmix32(seed) + t * WEYL (mod 2**32)``, a Weyl sequence the
  trial engine steps with one adder;
- trial master ``trial_master(key) = fmix32(key)``; top-input option ``trial_top(key, n) =
  (fmix32(key ^ TOP_SALT) * n) >> 32`` (uniform over 0..n-1 up to 2**-32);
- neuron i's generator starts at ``neuron_seed(master, salt_i) = (master ^ salt_i) | 1`` where
  the salt ``neuron_salts(n)[i] = fmix32(i + 1)`` is a constant wired into neuron i; forcing
  bit 0 keeps the state non-zero. Xorshift is linear, so neuron streams are the one maximal
  sequence at pseudo-random phases: two of 2**32 - 1 phases closer than a trial's length
  (about 1e4 steps) is a 1e-5 event.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MASK32",
    "TOP_SALT",
    "WEYL",
    "XI_MEAN",
    "XI_STD",
    "fmix32",
    "irwin_hall4",
    "mulr",
    "neuron_salts",
    "neuron_seed",
    "ou_step",
    "trial_key",
    "trial_master",
    "trial_top",
    "uniform_index",
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


# Arithmetic ------------------------------------------------------------------------------------


def mulr(v, c, cf):
    """``v * c / 2**cf`` rounded half up: the one rounding rule of every coefficient product."""
    return (v * c + (1 << (cf - 1))) >> cf


def ou_step(eta, xi, a, c_xi, cf, eta_min, eta_max):
    """The OU noise one step on from ``eta`` with sample ``xi``: (new eta, saturated).

    ``mulr(eta, a, cf) + mulr(xi, c_xi, cf)``, clamped to [eta_min, eta_max]; ``saturated``
    is true (per element) where the clamp acted.
    """
    e = mulr(eta, a, cf) + mulr(xi, c_xi, cf)
    return np.clip(e, eta_min, eta_max), (e < eta_min) | (e > eta_max)


# PRNG and noise --------------------------------------------------------------------------------


def xorshift32(s):
    """A xorshift32 state (non-zero, < 2**32) advanced by one step."""
    s = s ^ ((s << 13) & MASK32)
    s = s ^ (s >> 17)
    return s ^ ((s << 5) & MASK32)


def irwin_hall4(s):
    """Centred sum of the four bytes of a 32-bit word: an integer in -510..510."""
    return (s & 0xFF) + ((s >> 8) & 0xFF) + ((s >> 16) & 0xFF) + ((s >> 24) & 0xFF) - XI_MEAN


def fmix32(h):
    """MurmurHash3 fmix32 of the low 32 bits of ``h``: a 32-bit bijection, full avalanche."""
    h = h & MASK32
    h = h ^ (h >> 16)
    h = (h * 0x85EBCA6B) & MASK32
    h = h ^ (h >> 13)
    h = (h * 0xC2B2AE35) & MASK32
    return h ^ (h >> 16)


# Seeding ---------------------------------------------------------------------------------------


def trial_key(seed, trial):
    """Key of trial ``trial`` in the run seeded with ``seed`` (both < 2**32)."""
    return (fmix32(seed) + (trial & MASK32) * WEYL) & MASK32


def trial_master(key):
    """Master word of a trial: the neurons' generators start from it."""
    return fmix32(key)


def uniform_index(word, n):
    """The index in 0..n-1 a uniform 32-bit ``word`` picks: (word * n) >> 32 (multiply-high,
    no division; each index has 2**32 / n words, to within one)."""
    return (word * n) >> 32


def trial_top(key, n):
    """Index of the top-input option of a trial, uniform over 0..n-1."""
    return uniform_index(fmix32(key ^ TOP_SALT), n)


def neuron_salts(n: int) -> np.ndarray:
    """The per-neuron constants ``fmix32(i + 1)`` for i in 0..n-1 (int64[n])."""
    return fmix32(np.arange(1, n + 1, dtype=np.int64))


def neuron_seed(master, salt):
    """Start state of the generator of the neuron with salt ``salt`` (salts: an array of
    them, one state each)."""
    return (master ^ salt) | 1
