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
