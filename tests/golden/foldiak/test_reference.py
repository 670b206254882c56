import math

import numpy as np
import pytest

from gaba.golden.foldiak import bars
from gaba.golden.foldiak import fixed as fk
from gaba.golden.foldiak import reference as fr
from gaba.golden.foldiak.config import FoldiakConfig, FoldiakParams

HARD = FoldiakParams()  # the hardware's settling: hard sigmoid, dt = 1/8 x 64


def test_paper_settings():
    assert (fr.PAPER.sigmoid, fr.PAPER.settle_dt, fr.PAPER.settle_steps) == ("logistic", 0.1, 100)
    assert (fr.PAPER.alpha, fr.PAPER.beta, fr.PAPER.gamma, fr.PAPER.lam) == (0.1, 0.02, 0.02, 10)


def test_sigmoids():
    u = np.array([-1.0, -0.1, 0.0, 0.1, 1.0])
    assert np.allclose(fr.sigmoid(fr.PAPER, u), 1 / (1 + np.exp(-10 * u)))
    assert fr.sigmoid(HARD, u).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_settling_without_lateral_weights_is_the_euler_solution():
    q = np.array([[0.3, 0.2], [0.0, 0.1]])
    t = np.array([0.4, 0.0])
    x = np.array([1.0, 1.0])
    ys, steps = fr.settle(fr.PAPER, q, np.zeros((2, 2)), t, x, trace=True)
    f = 1 / (1 + np.exp(-10 * (q @ x - t)))
    k = np.arange(101)[:, None]
    assert np.allclose(steps, f * (1 - 0.9**k)) and np.allclose(ys, steps[-1])


def test_settling_uses_the_previous_state_for_every_unit():
    # two units inhibiting each other: one synchronous step from y* = (0.5, 0.5)
    p = HARD.replace(settle_steps=2, settle_dt=0.5)
    q = np.array([[1.0], [0.5]])
    w = np.array([[0.0, -1.0], [-1.0, 0.0]])
    _, steps = fr.settle(p, q, w, np.zeros(2), np.array([1.0]), trace=True)
    y1 = 0.5 * np.clip(0.5 + 2.5 * np.array([1.0, 0.5]), 0, 1)
    u2 = np.array([1.0 - y1[1], 0.5 - y1[0]])
    y2 = y1 + 0.5 * (np.clip(0.5 + 2.5 * u2, 0, 1) - y1)
    assert np.allclose(steps[1], y1) and np.allclose(steps[2], y2)


def test_learning_step_by_hand():
    p = fr.PAPER
    q = np.array([[0.5, 0.5], [0.2, 0.9], [0.1, 0.1]])
    w = np.array([[0.0, -0.5, -0.001], [-0.5, 0.0, -0.2], [-0.001, -0.2, 0.0]])
    t = np.array([1.0, 2.0, 3.0])
    x, y = np.array([1.0, 0.0]), np.array([1.0, 1.0, 0.0])
    fr.learn(p, q, w, t, x, y)
    a = 0.1
    assert np.isclose(w[0, 1], -0.5 - a * (1 - 1 / 64)) and np.isclose(w[1, 0], w[0, 1])
    assert w[0, 2] == 0.0  # -0.001 + alpha p^2 > 0: clipped to 0
    assert np.isclose(w[1, 2], -0.2 + a / 64) and np.all(np.diag(w) == 0)
    assert np.allclose(q, [[0.51, 0.49], [0.216, 0.882], [0.1, 0.1]])
    assert np.allclose(t, [1.0175, 2.0175, 2.9975])
    fr.learn(p, q, w, t, x, np.array([0.0, 1.0, 0.0]), pre=True)
    assert np.allclose(t, [1.0175 - 0.0125, 2.0175 + 0.0875, 2.9975 - 0.0125])
    assert np.allclose(q, [[0.51, 0.49], [0.216, 0.882], [0.1, 0.1]])


def test_initial_q_has_unit_length_per_unit():
    q = fr.initial_q(np.random.default_rng(0), 16, 64)
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0) and q.min() >= 0
    assert 0.09 < q.mean() < 0.125  # about 0.5 / sqrt(64 / 3) = 0.108


def test_train_shapes_snapshots_and_independent_runs():
    res = fr.train(HARD, 3, 40, 5, snapshot_every=15)
    assert res.snapshot_at.tolist() == [0, 15, 30, 40]
    assert res.q_hist.shape == (3, 4, 16, 64) and res.y.shape == (3, 140, 16)
    assert res.presentations == 40 and res.runs == 3 and res.scale == 1.0
    assert np.array_equal(res.q_hist[:, -1], res.q)
    one = fr.train(HARD, 1, 40, 5, first_run=2)
    assert np.array_equal(one.q[0], res.q[2])  # a run does not depend on its neighbours
    assert not np.array_equal(res.q[0], res.q[1])


def test_train_validates_patterns():
    with pytest.raises(ValueError, match=r"patterns must have shape \(2, 110, 64\)"):
        fr.train(HARD, 2, 10, 1, patterns=np.zeros((2, 10, 64), np.uint8))
    with pytest.raises(ValueError, match="the bars problem needs m = 64 inputs, not 9"):
        fr.train(HARD.replace(m=9), 2, 10, 1)


def _float_vs_fixed(params):
    """Largest |y*_float - y*_fixed| over the first 20 presentations of 4 runs that share
    initial weights and patterns."""
    cfg = FoldiakConfig.paper()
    fixed = fk.train(cfg, 4, 0, 8)
    x, _ = bars.prng_bars(fk.stream_seeds(8, 4, fk.STREAM_TRAIN), 100)
    flt = fr.train(params, 4, 0, 8, patterns=x, q0=fk.initial_q(cfg, 8, 4) / cfg.one)
    return np.abs(flt.ystar - fixed.ystar / cfg.one)[:, :20].max()


def test_float_model_follows_the_fixed_point_model_on_the_same_inputs():
    # same initial weights and patterns, hardware settling: y* within rounding (13 LSBs here)
    assert _float_vs_fixed(HARD) < 0.01


def test_the_agreement_check_fails_for_another_model():
    # companion: a sigmoid 10 % steeper settles elsewhere
    assert _float_vs_fixed(HARD.replace(lam=11.0)) > 0.01


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_bars_acceptance(seed):
    res = fr.train(fr.PAPER, 25, 3000, seed, snapshot_every=500)
    assert (bars.bars_represented(res.q) == 16).sum() >= 24
    x, masks = fr.float_patterns(seed, 25, 1000, fr.STREAM_TEST)
    y = fr.respond(fr.PAPER, res.q, res.w, res.t, x) > 0.5
    assert bars.code_errors(y, masks, bars.unit_bars(res.q)).mean() <= 0.05
    curve = bars.bars_represented(res.q_hist).mean(axis=0)
    assert curve[2] >= 10 and curve[3] >= 14.5 and curve[-1] >= 15.9
    assert -5 < res.w.min() and 2 < res.t.min() and res.t.max() < 5


@pytest.mark.slow
def test_weights_normalised_to_sum_one_learn_slower():
    # the other reading of "normalised per unit" (docs/foldiak.md): about 8 bars at 1000
    rng = np.random.default_rng(3)
    u = rng.random((25, 16, 64))
    res = fr.train(fr.PAPER, 25, 1000, 1, q0=u / u.sum(axis=2, keepdims=True))
    assert bars.bars_represented(res.q).mean() < 10
    assert math.isclose(np.median(res.t), 1.0, abs_tol=0.8)
