import json
import math

import numpy as np
import pytest

from gaba.golden.results import TrialResults


def test_trial_results_statistics_by_hand():
    result = TrialResults(
        winner=[2, 1, -1, 2],
        top=[2, 2, 0, 2],
        steps=[10, 20, 40, 30],
        decided=np.array([True, True, False, True]),
        dt=0.5,
    )
    assert result.trials == 4
    assert result.correct.tolist() == [True, False, False, True]
    assert result.decision_time.tolist() == [5.0, 10.0, 20.0, 15.0]
    assert result.decided_fraction == 0.75
    assert result.accuracy == pytest.approx(2 / 3)
    assert result.accuracy_se == pytest.approx(math.sqrt(2 / 3 * 1 / 3 / 3))
    assert result.mean_decision_time == pytest.approx(10.0)
    assert result.decision_time_se == pytest.approx(5.0 / math.sqrt(3))  # std(5, 10, 15) = 5
    summary = result.summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["trials"] == 4 and isinstance(summary["trials"], int)
    assert summary["mean_decision_time_se"] == pytest.approx(5.0 / math.sqrt(3))
    assert result.winner.dtype == np.int64 and result.decided.dtype == np.bool_
    with pytest.raises(ValueError):
        result.steps[0] = 1  # read-only


def test_trial_results_single_decided_trial_has_no_time_se():
    result = TrialResults(winner=[0], top=[0], steps=[3], decided=[True], dt=1.0)
    assert math.isnan(result.decision_time_se)
    assert result.summary()["mean_decision_time_se"] is None
    assert result.accuracy_se == 0.0


@pytest.mark.parametrize(
    "fields",
    [
        dict(winner=[0, 1], top=[0], steps=[1], decided=[True]),  # lengths differ
        dict(winner=[], top=[], steps=[], decided=np.array([], bool)),  # empty
        dict(winner=[-1], top=[0], steps=[1], decided=[True]),  # decided without winner
        dict(winner=[0], top=[0], steps=[1], decided=[False]),  # undecided with winner
        dict(winner=[0], top=[0], steps=[1], decided=[1]),  # not boolean
        dict(winner=[0.0], top=[0], steps=[1], decided=[True]),  # not integer
        dict(winner=[0], top=[0], steps=[-1], decided=[True]),  # negative steps
        dict(winner=[[0]], top=[[0]], steps=[[1]], decided=[[True]]),  # not 1-D
    ],
)
def test_trial_results_rejects_inconsistent_arrays(fields):
    with pytest.raises(ValueError, match="Trial results"):
        TrialResults(**fields, dt=1.0)


@pytest.mark.parametrize("dt", [0.0, -1.0, math.nan, math.inf, True])
def test_trial_results_rejects_bad_dt(dt):
    with pytest.raises(ValueError, match="dt must be"):
        TrialResults(winner=[0], top=[0], steps=[1], decided=[True], dt=dt)


def test_blocks_join_into_the_run():
    from gaba.golden import fixed
    from gaba.golden.config import Config
    from gaba.golden.results import join

    cfg = Config.paper(n=6, delta=0.1)
    whole = fixed.run_trials(cfg, 25, seed=3)
    parts = [fixed.run_trials(cfg, k, seed=3, first_trial=f) for f, k in ((0, 10), (10, 15))]
    joined = join(parts)
    assert type(joined) is type(whole) and joined.dt == whole.dt
    for name in ("winner", "top", "steps", "decided", "eta_sat", "r_sat", "state_hash"):
        assert np.array_equal(getattr(joined, name), getattr(whole, name)), name
    # out of order is another run (the trials' keys are their indices)
    assert not np.array_equal(join(parts[::-1]).state_hash, whole.state_hash)
    with pytest.raises(ValueError, match="Nothing to join"):
        join([])
    other = TrialResults(winner=[0], top=[0], steps=[3], decided=[True], dt=0.5)
    with pytest.raises(ValueError, match="must be of one type"):
        join([parts[0], other])
    with pytest.raises(ValueError, match="must share dt"):
        join([other, TrialResults(winner=[0], top=[0], steps=[3], decided=[True], dt=0.25)])
