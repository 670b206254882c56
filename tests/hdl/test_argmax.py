# amaranth: UnusedElaboratable=no
"""The comparator-tree arg-max engine in Amaranth's simulator, against the golden model."""

import numpy as np
import pytest

from gaba.golden.argmax import ArgmaxConfig, argmax_clocks, winners
from gaba.hdl.argmax import ArgmaxEngine


def run(engine, cfg, count, seed, first=0, ready=lambda k: True):
    """(winner, max, clocks) of each trial; ``ready(cycle)`` is the backpressure."""
    got = engine(
        ArgmaxEngine(cfg),
        count,
        inputs={"seed": seed, "first": first},
        max_cycles=count * 4 * argmax_clocks(cfg) + 10,
        ready=ready,
    )
    return [(p.winner, p.max, p.clocks) for p in got]


@pytest.mark.parametrize(("n", "width"), [(2, 1), (5, 3), (16, 2), (33, 4)])
def test_engine_is_the_golden_model(trial_engine, n, width):
    cfg = ArgmaxConfig.paper(n=n, width=width)
    got = np.array(run(trial_engine, cfg, 12, seed=4, first=3))
    w, best = winners(cfg, 12, seed=4, first=3)
    assert np.array_equal(got[:, 0], w) and np.array_equal(got[:, 1], best)
    assert (got[:, 2] == argmax_clocks(cfg)).all()


def test_backpressure_loses_no_result(trial_engine):
    cfg = ArgmaxConfig.paper(n=9, width=2)
    got = np.array(run(trial_engine, cfg, 10, seed=2, ready=lambda k: k % 3 == 0))
    assert np.array_equal(got[:, 0], winners(cfg, 10, seed=2)[0])


def test_a_perturbed_golden_model_is_caught(trial_engine):
    # companion: the engine's winners differ from a golden model of other scores
    cfg = ArgmaxConfig.paper(n=16, width=3)
    got = np.array(run(trial_engine, cfg, 12, seed=4))
    assert not np.array_equal(got[:, 0], winners(cfg, 12, seed=5)[0])
    assert not np.array_equal(got[:, 1], winners(cfg.replace(width=4), 12, seed=4)[1])
