from gaba.golden.foldiak import fixed as fk
from gaba.golden.foldiak import reference as fr
from gaba.golden.foldiak.config import FoldiakConfig, FoldiakParams
from gaba.golden.foldiak.results import Learned, snapshot_points


def test_snapshot_points():
    assert snapshot_points(10, 0).tolist() == [10]
    assert snapshot_points(10, -1).tolist() == [10]
    assert snapshot_points(10, 5).tolist() == [0, 5, 10]
    assert snapshot_points(10, 4).tolist() == [0, 4, 8, 10]
    assert snapshot_points(0, 3).tolist() == [0]


def test_both_models_return_learned_runs():
    fixed = fk.train(FoldiakConfig.paper(pre_presentations=3), 2, 7, 1, snapshot_every=3)
    par = FoldiakParams(pre_presentations=3)
    ref = fr.train(par, 2, 7, 1, snapshot_every=3)
    for res in (fixed, ref):
        assert isinstance(res, Learned)
        assert res.runs == 2 and res.presentations == 7
        assert res.snapshot_at.tolist() == [0, 3, 6, 7]
        assert res.q_hist.shape[:2] == (2, 4)


def test_blocks_of_runs_join_into_one_outcome():
    import numpy as np
    import pytest

    from gaba.golden.foldiak.experiments import BarsOutcome, run_bars
    from gaba.golden.foldiak.results import join_runs

    whole = run_bars("fixed", 3, 200, 5, test_patterns=50)
    parts = [
        run_bars("fixed", k, 200, 5, test_patterns=50, first_run=f) for f, k in ((0, 1), (1, 2))
    ]
    joined = BarsOutcome.join(parts, seconds=1.0)
    assert joined.summary() | {"seconds": 0} == whole.summary() | {"seconds": 0}
    assert np.array_equal(joined.learned.ystar, whole.learned.ystar)
    # in the wrong order the runs are the same runs, listed otherwise
    assert not np.array_equal(join_runs([p.learned for p in parts[::-1]]).q, whole.learned.q)
    with pytest.raises(ValueError, match="Nothing to join"):
        join_runs([])
    longer = run_bars("fixed", 1, 300, 5, test_patterns=50)
    with pytest.raises(ValueError, match="must share snapshot_at"):
        join_runs([parts[0].learned, longer.learned])
    with pytest.raises(ValueError, match="share model, seed and test patterns"):
        BarsOutcome.join([parts[0], run_bars("fixed", 1, 200, 6, test_patterns=50)], seconds=1)
