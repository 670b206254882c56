# amaranth: UnusedElaboratable=no
"""The k-WTA engines (bit-serial search and comparator-tree top-k) in Amaranth's simulator,
against the golden model."""

import numpy as np
import pytest

from gaba.golden.kwta import KwtaConfig, serial_clocks, tree_clocks, trials
from gaba.hdl.kwta import KwtaEngine, TreeTopKEngine

ENGINES = [(KwtaEngine, serial_clocks), (TreeTopKEngine, tree_clocks)]


def run(trial_engine, engine, cfg, count, seed, first=0, ready=lambda k: True):
    """(mask bits, threshold, clocks) of each trial."""
    got = trial_engine(
        engine(cfg),
        count,
        inputs={"seed": seed, "first": first},
        max_cycles=count * 4 * (serial_clocks(cfg) + tree_clocks(cfg)) + 10,
        ready=ready,
    )
    masks = np.array([[(int(p.mask) >> i) & 1 for i in range(cfg.n)] for p in got], bool)
    return masks, np.array([p.threshold for p in got]), np.array([p.clocks for p in got])


@pytest.mark.parametrize(("engine", "clocks"), ENGINES, ids=["serial", "tree"])
@pytest.mark.parametrize(("n", "k", "width"), [(2, 1, 1), (5, 2, 3), (16, 4, 2), (33, 7, 4)])
def test_engine_is_the_golden_model(trial_engine, engine, clocks, n, k, width):
    cfg = KwtaConfig.paper(n=n, k=k, width=width)
    mask, threshold, got_clocks = run(trial_engine, engine, cfg, 10, seed=4, first=3)
    want_mask, want_threshold = trials(cfg, 10, seed=4, first=3)
    assert np.array_equal(mask, want_mask)
    assert np.array_equal(threshold, want_threshold)
    assert (mask.sum(axis=1) == k).all()
    assert (got_clocks == clocks(cfg)).all()


def test_backpressure_loses_no_result(trial_engine):
    cfg = KwtaConfig.paper(n=9, k=3, width=2)
    mask, _, _ = run(trial_engine, KwtaEngine, cfg, 8, seed=2, ready=lambda c: c % 3 == 0)
    assert np.array_equal(mask, trials(cfg, 8, seed=2)[0])


@pytest.mark.parametrize(("engine", "clocks"), ENGINES, ids=["serial", "tree"])
def test_a_perturbed_golden_model_is_caught(trial_engine, engine, clocks):
    # companion: the same hardware against a golden model of another k
    cfg = KwtaConfig.paper(n=16, k=4, width=3)
    mask, _, _ = run(trial_engine, engine, cfg, 10, seed=4)
    assert not np.array_equal(mask, trials(cfg.replace(k=5), 10, seed=4)[0])


def test_a_trial_longer_than_255_clocks_is_counted_whole(trial_engine):
    # k (rounds + 1) + 2 = 261 clocks: the engine's clock count is as wide as the layout's
    cfg = KwtaConfig.paper(n=40, k=37, width=3)
    assert tree_clocks(cfg) > 255
    mask, threshold, clocks = run(trial_engine, TreeTopKEngine, cfg, 2, seed=6)
    assert np.array_equal(mask, trials(cfg, 2, seed=6)[0])
    assert (clocks == tree_clocks(cfg)).all()
