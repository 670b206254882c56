"""The bars problem (Földiák 1990): pattern generators and the standard scores.

An 8 x 8 grid; each of the 16 bars (8 horizontal, 8 vertical) is drawn independently with
probability 1/8; a pixel is 1 if any drawn bar covers it. Pixel (r, c) is input ``x[r*8 + c]``;
bar k < 8 is row k, bar 8 + k is column k. A set of bars is a 16-bit mask (bit k = bar k).

Two generators:

- :func:`float_bars`: NumPy's generator, p a parameter (for the float reference);
- :func:`prng_bars`: the hardware's. Per pattern two xorshift32 steps give words r1, r2 (the
  state after the first step, then after the second); row k is drawn iff bits [3k, 3k+3) of r1
  are all zero, column k likewise from r2 (p = 1/8 exactly; bits 24..31 are unused). A pixel
  generator is then one 3-input NOR per bar and one OR per pixel.

Scores (Spratling & Johnson 2002, as in reference/foldiak.md):

- :func:`unit_bars`: clip negative weights to 0; for each unit sum its weights over each row
  and each column; the unit represents the bar with the largest sum if that sum is more than
  twice the second largest, else none (-1). Exact on integer weights.
- :func:`bars_represented`: the number of DIFFERENT bars represented by some unit (0..16).
- :func:`code_errors`: a test pattern is coded exactly iff every active unit represents a bar
  and the set of bars of the active units equals the set of bars drawn (a pattern with no bar
  needs silence). Several units representing one bar may be active together.
"""

from __future__ import annotations

import numpy as np

from gaba.golden import kernels
from gaba.golden.validate import check_states

__all__ = [
    "N_BARS",
    "SIDE",
    "bar_pixels",
    "bars_represented",
    "code_errors",
    "decode",
    "float_bars",
    "patterns_from_masks",
    "prng_bars",
    "unit_bars",
]

SIDE = 8
#: Bars on the grid: SIDE horizontal, then SIDE vertical.
N_BARS = 2 * SIDE
M = SIDE * SIDE
_BIT = 1 << np.arange(N_BARS, dtype=np.int64)


def bar_pixels() -> np.ndarray:
    """uint8[16, 64]: the pixels of each bar (rows 0..7, then columns 0..7)."""
    out = np.zeros((N_BARS, SIDE, SIDE), np.uint8)
    for k in range(SIDE):
        out[k, k, :] = 1
        out[SIDE + k, :, k] = 1
    return out.reshape(N_BARS, M)


def patterns_from_masks(masks: np.ndarray) -> np.ndarray:
    """uint8[..., 64] patterns of 16-bit bar masks: pixel (r, c) = row r drawn | column c drawn."""
    masks = np.asarray(masks, dtype=np.int64)
    bits = ((masks[..., None] >> np.arange(N_BARS)) & 1).astype(np.uint8)
    rows, cols = bits[..., :SIDE], bits[..., SIDE:]
    return (rows[..., :, None] | cols[..., None, :]).reshape(*masks.shape, M)


def float_bars(rng: np.random.Generator, count: int, p: float = 0.125):
    """``count`` patterns from NumPy's generator: (uint8[count, 64], int64[count] bar masks).

    Each bar is drawn with probability ``p`` (one ``rng.random((count, 16))`` call, rows first).
    """
    drawn = rng.random((count, N_BARS)) < p
    masks = drawn.astype(np.int64) @ _BIT
    return patterns_from_masks(masks), masks


def _zero_fields(v: int, fields: int) -> int:
    """Bit k set where bits [3k, 3k+3) of ``v`` are all zero, k = 0..fields-1."""
    return sum(int((v >> (3 * k)) & 7 == 0) << k for k in range(fields))


#: :func:`_zero_fields` of every 12-bit value (four fields), for the draws of eight bars.
_ZERO_FIELDS_12 = np.array([_zero_fields(v, 4) for v in range(1 << 12)], np.int64)


def _bar_bits(words: np.ndarray) -> np.ndarray:
    """The eight bars drawn by each word: :func:`_zero_fields` of its low 24 bits."""
    return _ZERO_FIELDS_12[words & 0xFFF] | (_ZERO_FIELDS_12[(words >> 12) & 0xFFF] << 4)


def prng_bars(states: np.ndarray, count: int):
    """``count`` patterns per generator from xorshift32 ``states`` (int64[R], advanced in place).

    Returns (uint8[R, count, 64] patterns, int64[R, count] bar masks); see the module docstring
    for the rule.
    """
    check_states(states)
    words = np.empty((states.shape[0], count, 2), np.int64)
    kernels.xorshift32_words(states, words.reshape(states.shape[0], 2 * count))
    masks = _bar_bits(words[..., 0]) | (_bar_bits(words[..., 1]) << SIDE)
    return patterns_from_masks(masks), masks


# Scoring -------------------------------------------------------------------------------------


def unit_bars(q: np.ndarray) -> np.ndarray:
    """Bar represented by each unit, or -1: int64[..., n] from weights [..., n, 64]."""
    q = np.asarray(q)
    if q.shape[-1] != M:
        raise ValueError(f"bars weights need {M} inputs per unit, not {q.shape[-1]}")
    grid = np.maximum(q, 0).reshape(*q.shape[:-1], SIDE, SIDE)
    sums = np.concatenate([grid.sum(axis=-1), grid.sum(axis=-2)], axis=-1)  # rows, columns
    ordered = np.sort(sums, axis=-1)
    largest, second = ordered[..., -1], ordered[..., -2]
    return np.where(largest > 2 * second, np.argmax(sums, axis=-1), -1)


def bars_represented(q: np.ndarray) -> np.ndarray:
    """Number of different bars represented by the units: int64[...] from [..., n, 64]."""
    bars = unit_bars(q)
    present = (bars[..., None] == np.arange(N_BARS)).any(axis=-2)
    return present.sum(axis=-1)


def decode(y: np.ndarray, bars: np.ndarray) -> np.ndarray:
    """Bar mask coded by binary outputs ``y`` [..., K, n] given each unit's bar [..., n].

    int64[..., K]; -1 where an active unit represents no bar.
    """
    y = np.asarray(y, dtype=bool)
    bars = np.asarray(bars)[..., None, :]
    bit = np.where(bars >= 0, np.left_shift(1, np.maximum(bars, 0)), 0)
    masks = np.bitwise_or.reduce(np.where(y, bit, 0), axis=-1)
    return np.where((y & (bars < 0)).any(axis=-1), -1, masks)


def code_errors(y: np.ndarray, masks: np.ndarray, bars: np.ndarray) -> np.ndarray:
    """bool[..., K]: test patterns whose binary output is not exactly the set of bars drawn."""
    return decode(y, bars) != np.asarray(masks)
