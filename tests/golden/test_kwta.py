"""The k-WTA golden model: the definition, its tie rule and its vectors."""

import numpy as np
import pytest

from gaba.golden import argmax
from gaba.golden.kwta import KwtaConfig, kwta_mask, trials


def test_the_htm_global_inhibition_vectors():
    # htm.core's unit vectors (ties there go to the larger index: reverse the order)
    x = np.array([1, 2, 1, 4, 8, 3, 12, 5, 4, 1])
    assert set(np.flatnonzero(kwta_mask(x[::-1], 3)[::-1])) == {4, 6, 7}
    y = np.arange(1, 11)
    assert set(np.flatnonzero(kwta_mask(y[::-1], 5)[::-1])) == {5, 6, 7, 8, 9}


def test_ties_go_to_the_lowest_index():
    assert kwta_mask(np.array([3, 5, 3, 3, 5]), 3).tolist() == [1, 1, 0, 0, 1]
    assert kwta_mask(np.zeros(6, int), 2).tolist() == [1, 1, 0, 0, 0, 0]


@pytest.mark.parametrize("seed", range(5))
def test_exactly_k_win_and_none_loses_to_a_smaller_score(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 64))
    k = int(rng.integers(1, n + 1))
    x = rng.integers(0, 8, size=(40, n))
    b = kwta_mask(x, k)
    assert (b.sum(axis=1) == k).all()
    # every winner's score >= every loser's; against a stable sort's top k
    order = np.argsort(-x, axis=1, kind="stable")[:, :k]
    want = np.zeros_like(b)
    np.put_along_axis(want, order, True, axis=1)
    assert np.array_equal(b, want)


def test_trials_threshold_is_the_kth_largest():
    cfg = KwtaConfig.paper(n=12, k=5, width=3)
    mask, t = trials(cfg, 30, seed=7)
    x = argmax.scores(cfg, 30, seed=7)
    assert (mask.sum(axis=1) == 5).all()
    assert np.array_equal(t, np.sort(x, axis=1)[:, 12 - 5])
    # T is the smallest winning score, and no loser scores above it
    assert np.array_equal(t, np.where(mask, x, 99).min(axis=1))
    assert (np.where(mask, -1, x).max(axis=1) <= t).all()


def test_bad_k_is_refused():
    with pytest.raises(ValueError, match="Winner count k"):
        KwtaConfig.paper(n=4, k=5)
    with pytest.raises(ValueError, match="Winner count k"):
        kwta_mask(np.arange(4), 0)
