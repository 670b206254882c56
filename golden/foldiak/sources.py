"""The Földiák layer's pattern sources, each as the golden model and the hardware both draw it
(``gaba.hdl.foldiak.FoldiakLayer`` takes a source by name):

- ``bars``: Földiák's bars, generated on chip from the training and test streams
  (:func:`gaba.golden.foldiak.bars.prng_bars`); the label is the bars drawn (16 bits);
- ``digits``: scikit-learn's digits from an image ROM (:mod:`gaba.golden.digits`): a training
  presentation's image is picked by the second of its two training-stream words
  (:func:`gaba.golden.digits.prng_digits`), test pattern j is image min(j, 1796), all of them
  in order; the label is the image's index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gaba.golden import digits
from gaba.golden.foldiak import bars
from gaba.golden.foldiak import fixed as foldiak

__all__ = ["SOURCES", "PatternSource", "source"]


@dataclass(frozen=True)
class PatternSource:
    """A named pattern source: ``train`` draws the training patterns from the training
    stream (a :data:`gaba.golden.foldiak.fixed.Source`), ``tests(seed, run, count)`` gives
    run ``run``'s ``count`` test patterns and labels (uint8[count, 64], int64[count])."""

    name: str
    train: foldiak.Source
    tests: Callable[[int, int, int], tuple[np.ndarray, np.ndarray]]


def _bars_tests(seed: int, run: int, count: int):
    x, labels = foldiak.test_patterns(seed, 1, count, first_run=run)
    return x[0], labels[0]


def _digits_tests(seed: int, run: int, count: int):
    return digits.in_order(count)


SOURCES = {
    s.name: s
    for s in (
        PatternSource("bars", bars.prng_bars, _bars_tests),
        PatternSource("digits", digits.prng_digits, _digits_tests),
    )
}


def source(name: str) -> PatternSource:
    """The pattern source ``name``, or a ValueError naming the choices."""
    if name not in SOURCES:
        raise ValueError(f"Pattern source must be one of {', '.join(SOURCES)}, not {name!r}")
    return SOURCES[name]
