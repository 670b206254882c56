"""The letters demonstration of Földiák (1990): the alphabet, presented with English frequencies.

A hand-written 5 x 7 bitmap font of A..Z, each glyph placed at rows 0..6, columns 1..5 of the
8 x 8 grid of the bars problem (so the same 64-input, 16-unit layer learns it). Letters are drawn
independently with English letter frequencies (:data:`FREQUENCIES`, percent).

Generators, like :mod:`gaba.golden.foldiak.bars`:

- :func:`float_letters`: NumPy's ``rng.choice`` with the frequencies (float reference);
- :func:`prng_letters`: the hardware's. One xorshift32 step per pattern; the letter is the
  smallest k with ``state >> 16 < CUMULATIVE[k]``, where ``CUMULATIVE[k]`` is the cumulative
  frequency through letter k scaled to 2**16 and rounded (CUMULATIVE[25] = 65536; every letter
  keeps a non-empty interval).

:func:`codes` settles a learned layer on each of the 26 letters and :func:`summary` reports what
the paper describes qualitatively: frequent letters get few active units, and all letters keep
distinct codes.
"""

from __future__ import annotations

import numpy as np

from gaba.golden import kernels
from gaba.golden.validate import check_states

__all__ = [
    "ALPHABET",
    "CONFIG_CHANGES",
    "CUMULATIVE",
    "FREQUENCIES",
    "GLYPHS",
    "codes_summary",
    "float_letters",
    "glyphs",
    "prng_letters",
]

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: Wider ranges than the bars problem's: letters cover 10..20 pixels, so learned thresholds
#: reach about 9 and lateral weights about -8.5 (t in [-8, 8) saturates). Used as
#: ``FoldiakConfig.paper(**CONFIG_CHANGES)``.
CONFIG_CHANGES = {"t_max": 32.0, "w_min": -16.0}

#: English letter frequencies in percent (the usual table for running English text).
FREQUENCIES = np.array(
    [8.167, 1.492, 2.782, 4.253, 12.702, 2.228, 2.015, 6.094, 6.966, 0.153, 0.772, 4.025, 2.406,
     6.749, 7.507, 1.929, 0.095, 5.987, 6.327, 9.056, 2.758, 0.978, 2.360, 0.150, 1.974, 0.074]
)  # fmt: skip

_FONT = """
.###. ####. .###. ###.. ##### ##### .###.
#...# #...# #...# #..#. #.... #.... #...#
#...# #...# #.... #...# #.... #.... #....
##### ####. #.... #...# ####. ####. #.###
#...# #...# #.... #...# #.... #.... #...#
#...# #...# #...# #..#. #.... #.... #...#
#...# ####. .###. ###.. ##### #.... .####

#...# .###. ..### #...# #.... #...# #...#
#...# ..#.. ...#. #..#. #.... ##.## #...#
#...# ..#.. ...#. #.#.. #.... #.#.# ##..#
##### ..#.. ...#. ##... #.... #.#.# #.#.#
#...# ..#.. ...#. #.#.. #.... #...# #..##
#...# ..#.. #..#. #..#. #.... #...# #...#
#...# .###. .##.. #...# ##### #...# #...#

.###. ####. .###. ####. .#### ##### #...#
#...# #...# #...# #...# #.... ..#.. #...#
#...# #...# #...# #...# #.... ..#.. #...#
#...# ####. #...# ####. .###. ..#.. #...#
#...# #.... #.#.# #.#.. ....# ..#.. #...#
#...# #.... #..#. #..#. ....# ..#.. #...#
.###. #.... .##.# #...# ####. ..#.. .###.

#...# #...# #...# #...# #####
#...# #...# #...# #...# ....#
#...# #...# .#.#. .#.#. ...#.
#...# #.#.# ..#.. ..#.. ..#..
#...# #.#.# .#.#. ..#.. .#...
.#.#. #.#.# #...# ..#.. #....
..#.. .#.#. #...# ..#.. #####
"""


def _parse_font(text: str) -> dict[str, list[str]]:
    glyphs = []
    for block in text.strip().split("\n\n"):
        lines = [line.split() for line in block.splitlines()]
        glyphs += [[line[k] for line in lines] for k in range(len(lines[0]))]
    return dict(zip(ALPHABET, glyphs, strict=True))


#: The 5 x 7 glyphs as string art, by letter.
GLYPHS = _parse_font(_FONT)

#: Cumulative frequencies scaled to 2**16 (see :func:`prng_letters`).
CUMULATIVE = np.round(np.cumsum(FREQUENCIES) / FREQUENCIES.sum() * 65536).astype(np.int64)

#: The letter of each 16-bit value v: the smallest k with v < CUMULATIVE[k].
_LETTER_OF = np.searchsorted(CUMULATIVE, np.arange(1 << 16), side="right").astype(np.int64)


def glyphs() -> np.ndarray:
    """uint8[26, 64]: the letters on the 8 x 8 grid (rows 0..6, columns 1..5)."""
    out = np.zeros((len(ALPHABET), 8, 8), np.uint8)
    for k, letter in enumerate(ALPHABET):
        for r, row in enumerate(GLYPHS[letter]):
            out[k, r, 1:6] = [c == "#" for c in row]
    return out.reshape(len(ALPHABET), 64)


def float_letters(rng: np.random.Generator, count: int):
    """``count`` letters from NumPy's generator: (uint8[count, 64], int64[count] letter)."""
    index = rng.choice(len(ALPHABET), size=count, p=FREQUENCIES / FREQUENCIES.sum())
    return glyphs()[index], index.astype(np.int64)


def prng_letters(states: np.ndarray, count: int):
    """``count`` letters per xorshift32 state (int64[R], advanced in place):
    (uint8[R, count, 64], int64[R, count] letter index)."""
    check_states(states)
    words = np.empty((states.shape[0], count), np.int64)
    kernels.xorshift32_words(states, words)
    index = _LETTER_OF[words >> 16]
    return glyphs()[index], index


def codes_summary(y: np.ndarray) -> dict:
    """What a layer's binary codes of the 26 letters show, from y (bool[R, 26, n]).

    Returns per run the number of distinct codes and of empty codes; over runs the mean
    number of distinct codes, the runs with 26 distinct non-empty codes, the mean active units
    per letter, and the mean active units of the five most and the five least frequent
    letters.
    """
    y = np.asarray(y, dtype=bool)
    runs = y.shape[0]
    active = y.sum(axis=2)
    distinct = [len({tuple(code) for code in y[r]}) for r in range(runs)]
    empty = (active == 0).sum(axis=1)
    order = np.argsort(-FREQUENCIES)
    mean_active = active.mean(axis=0)
    return {
        "runs": runs,
        "mean_distinct_codes": round(float(np.mean(distinct)), 3),
        "distinct_codes": [int(d) for d in distinct],
        "empty_codes": [int(e) for e in empty],
        "runs_all_distinct": int(
            sum(d == 26 and e == 0 for d, e in zip(distinct, empty, strict=True))
        ),
        "mean_active_units": {ALPHABET[k]: round(float(mean_active[k]), 3) for k in range(26)},
        "active_frequent5": round(float(mean_active[order[:5]].mean()), 3),
        "active_rare5": round(float(mean_active[order[-5:]].mean()), 3),
    }
