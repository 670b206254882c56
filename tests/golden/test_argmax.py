"""The comparator-tree arg-max's golden model."""

import numpy as np
import pytest

from gaba.golden import primitives
from gaba.golden.argmax import ArgmaxConfig, argmax_clocks, scores, winners


def test_scores_are_the_neurons_first_draws_cut_to_width():
    cfg = ArgmaxConfig.paper(n=5, width=4)
    s = scores(cfg, 3, seed=9, first=2)
    salts = primitives.neuron_salts(5)
    for j in range(3):
        master = primitives.trial_master(primitives.trial_key(9, 2 + j))
        for i in range(5):
            state = primitives.xorshift32(primitives.neuron_seed(master, int(salts[i])))
            assert s[j, i] == state >> 28
    assert s.min() >= 0 and s.max() < 16


def test_the_lowest_index_holding_the_maximum_wins():
    cfg = ArgmaxConfig.paper(n=16, width=2)  # 4 values among 16 scores: ties in most trials
    s = scores(cfg, 500, seed=1)
    w, best = winners(cfg, 500, seed=1)
    assert np.array_equal(best, s.max(axis=1))
    for j in range(500):
        assert w[j] == min(i for i in range(16) if s[j, i] == best[j])
    ties = (s == best[:, None]).sum(axis=1) > 1
    assert ties.mean() > 0.5  # the rule was exercised, not assumed


def test_a_run_slices_into_the_same_trials():
    cfg = ArgmaxConfig.paper(n=7)
    whole = winners(cfg, 40, seed=3)
    part = winners(cfg, 10, seed=3, first=25)
    assert np.array_equal(part[0], whole[0][25:35]) and np.array_equal(part[1], whole[1][25:35])


def test_clocks_and_validation():
    assert [argmax_clocks(ArgmaxConfig.paper(n=n)) for n in (2, 3, 16, 17)] == [3, 4, 6, 7]
    with pytest.raises(ValueError, match="Score count n must be an integer in 2..4096"):
        ArgmaxConfig.paper(n=1)
    with pytest.raises(ValueError, match="Score width must be an integer in 1..32"):
        ArgmaxConfig.paper(width=0)
    with pytest.raises(ValueError, match="Trial count must be an integer of at least 1"):
        scores(ArgmaxConfig.paper(), 0, seed=1)
