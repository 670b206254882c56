"""The Földiák layer's pattern sources (gaba.golden.foldiak.sources)."""

import numpy as np
import pytest

from gaba.golden import digits
from gaba.golden.foldiak import bars, sources
from gaba.golden.foldiak import fixed as foldiak
from gaba.golden.foldiak.config import FoldiakConfig


def test_the_bars_source_is_the_streams_bars():
    s = sources.source("bars")
    assert s.train is bars.prng_bars
    x, labels = s.tests(3, 2, 5)
    want = foldiak.test_patterns(3, 1, 5, first_run=2)
    assert np.array_equal(x, want[0][0]) and np.array_equal(labels, want[1][0])


def test_the_digits_source_draws_training_images_and_tests_them_all_in_order():
    s = sources.source("digits")
    states = foldiak.stream_seeds(3, 1, foldiak.STREAM_TRAIN)
    x, labels = s.train(states, 4)
    assert (labels < digits.TRAIN).all() and np.array_equal(x[0], digits.load()[0][labels[0]])
    x, labels = s.tests(3, 0, 1797)
    assert labels.tolist() == list(range(1797)) and x.shape == (1797, 64)


def test_a_layer_learns_from_either_source():
    cfg = FoldiakConfig.paper(n=8, pre_presentations=5)
    a = foldiak.train(cfg, 1, 20, 3, source=sources.source("bars").train)
    b = foldiak.train(cfg, 1, 20, 3, source=sources.source("digits").train)
    assert not np.array_equal(a.q, b.q)


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="Pattern source must be one of bars, digits, not 'x'"):
        sources.source("x")
