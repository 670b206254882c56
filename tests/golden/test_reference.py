"""Tests of the float reference models (gaba.golden.reference) against reference/nwta.md."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gaba.golden.params import NetworkParams
from gaba.golden.reference import simulate_float
from gaba.golden.results import TrialResults

# --------------------------------------------------------------------------------------------
# Hand-checked deterministic cases.
#
# sigma = 0 and dt = 1, so that x(t+1) = r(t) and every number below is exact in binary.
# n = 3, top = 0: b = (1, 0.5, 0.5); alpha = beta = 0.5; theta = 0.5 so the losers' first value
# x = 0.5 sits exactly on the gate.
# --------------------------------------------------------------------------------------------

HAND = dict(
    kind="nwta",
    n=3,
    alpha=0.5,
    beta=0.5,
    theta=0.5,
    sigma=0.0,
    dt=1.0,
    stop=1.25,
    b_max=1.0,
    delta=0.5,
    horizon=20.0,
)
TOP0 = np.array([0])


def _hand(**changes) -> TrialResults:
    return simulate_float(NetworkParams(**{**HAND, **changes}), 1, 0, top=TOP0)


def test_first_steps_by_hand_gate_closed():
    # Step 1: x = 0, no inhibition, x1 = b = (1, .5, .5).
    # Step 2 with theta just above 0.5: g(x1) = (1, 0, 0), S = 1, inh = .5*(S - g) = (0, .5, .5),
    # r = b + .5*x1 - inh = (1.5, .25, .25) -> x2 = (1.5, .25, .25): max 1.5 >= stop 1.25.
    result = _hand(theta=math.nextafter(0.5, 1.0))
    assert result.decided.tolist() == [True]
    assert result.steps.tolist() == [2]
    assert result.winner.tolist() == [0]
    assert result.correct.tolist() == [True]


def test_gate_at_exactly_theta_counts_as_active():
    # theta = 0.5: the losers' x1 = .5 is active, g(x1) = (1, .5, .5), S = 2,
    # inh = (.5, .75, .75), r = (1 + .5 - .5, .5 + .25 - .75, same) -> x2 = (1, 0, 0) < stop.
    # Step 3: g = (1, 0, 0), the top unit gets no inhibition, x3 = 1 + .5*1 = 1.5 >= 1.25.
    result = _hand(theta=0.5)
    assert result.steps.tolist() == [3]
    assert result.winner.tolist() == [0]


def test_conventional_wta_ignores_theta():
    # g(x) = x whatever theta is: the same trace as the gate-open nWTA case above.
    result = _hand(kind="wta", theta=math.nextafter(0.5, 1.0))
    assert result.steps.tolist() == [3]
    assert result.winner.tolist() == [0]


def test_stop_is_inclusive():
    # The gate-closed case reaches exactly 1.5 at step 2.
    assert _hand(theta=0.6, stop=1.5).steps.tolist() == [2]
    assert _hand(theta=0.6, stop=math.nextafter(1.5, 2.0)).steps.tolist() != [2]


@pytest.mark.parametrize(
    ("latency", "steps"),
    [
        # L = 0: x1 = (1, .5, .5), x2 = (1, 0, 0), x3 = (1.5, 0, 0), x4 = (1.75, 0, 0) >= 1.6.
        (0, 4),
        # L = 1 (inhibition from x(t-1), x(-1) = 0):
        #   x1 = b = (1, .5, .5)                          (inh from x(-1) = 0)
        #   x2 = b + .5*x1 = (1.5, .75, .75)              (inh from x0 = 0)
        #   x3: inh from x1, g = (1, .5, .5), S = 2, inh = (.5, .75, .75) -> (1.25, .125, .125)
        #   x4: inh from x2, S = 3, inh = (.75, 1.125, 1.125) -> (.875, 0, 0)
        #   x5: inh from x3, g = (1.25, 0, 0), inh = (0, .625, .625) -> (1.4375, 0, 0)
        #   x6: inh from x4, g = (.875, 0, 0), top inh 0 -> 1 + .5*1.4375 = 1.71875 >= 1.6.
        (1, 6),
        # L = 2: no inhibition for steps 1..3, x3 = b + .5*x2 = 1 + .5*1.5 = 1.75 >= 1.6.
        (2, 3),
    ],
)
def test_latency_delays_inhibition(latency, steps):
    result = _hand(stop=1.6, latency=latency)
    assert result.steps.tolist() == [steps]
    assert result.winner.tolist() == [0]
    assert result.decided.tolist() == [True]


def test_undecided_trial_is_reported_not_dropped():
    # The gate-open case needs 3 steps; a 2-step horizon leaves it undecided.
    result = _hand(theta=0.5, horizon=2.0)
    assert result.trials == 1
    assert result.decided.tolist() == [False]
    assert result.winner.tolist() == [-1]
    assert result.steps.tolist() == [2]
    assert result.decision_time.tolist() == [2.0]
    assert result.correct.tolist() == [False]
    assert result.decided_fraction == 0.0
    assert math.isnan(result.accuracy) and math.isnan(result.mean_decision_time)
    assert result.summary() == {
        "mean_decision_time": None,
        "mean_decision_time_se": None,
        "accuracy": None,
        "accuracy_se": None,
        "decided_fraction": 0.0,
        "trials": 1,
    }


def test_tie_goes_to_lowest_index():
    # delta = 0 and no inhibition: all units equal, x1 = .5*1 = .5 >= stop at step 1.
    params = NetworkParams(
        n=4, alpha=0.0, beta=0.0, sigma=0.0, dt=0.5, stop=0.5, delta=0.0, horizon=1.0
    )
    result = simulate_float(params, 4, 0, top=np.array([3, 2, 1, 0]))
    assert result.steps.tolist() == [1, 1, 1, 1]
    assert result.winner.tolist() == [0, 0, 0, 0]
    assert result.correct.tolist() == [False, False, False, True]
    assert result.accuracy == 0.25


def test_noiseless_nwta_deadlocks_on_quasi_2d_inputs():
    # reference/nwta.md: with sigma = 0 the nWTA deadlocks (units stall near theta).
    params = NetworkParams(n=10, sigma=0.0, horizon=50.0)
    result = simulate_float(params, 5, 0)
    assert not result.decided.any()
    assert (result.winner == -1).all()
    assert (result.steps == params.max_steps).all()


def test_noiseless_batch_matches_single_trials():
    # Deterministic runs: every trial of a batch, whatever its top option, behaves like the
    # same trial alone (the active set shrinks without mixing up rows).
    params = NetworkParams(n=4, sigma=0.0, delta=0.3, theta=0.0)
    tops = np.array([3, 0, 2, 1, 1])
    batch = simulate_float(params, tops.size, 0, top=tops)
    assert batch.decided.all()
    assert batch.winner.tolist() == tops.tolist()
    alone = simulate_float(params, 1, 0, top=tops[:1])
    assert (batch.steps == alone.steps[0]).all()


# --------------------------------------------------------------------------------------------
# The noisy model against a literal scalar transcription of reference/nwta.md, one trial.
# --------------------------------------------------------------------------------------------


def _literal_trial(params: NetworkParams, seed: int) -> tuple[int, int, bool]:
    """One trial, written out neuron by neuron from the spec, with the same random stream."""
    rng = np.random.default_rng(seed)
    n = params.n
    top = int(rng.integers(0, n, size=1)[0])
    b = [params.b_max if i == top else params.b_max - params.delta for i in range(n)]
    x = [0.0] * n
    eta = [0.0] * n
    past = [[0.0] * n for _ in range(params.latency)]  # x(t-L) .. x(t-1), x(<0) = 0

    def g(v):
        return v if (params.kind == "wta" or v >= params.theta) else 0.0

    for t in range(params.max_steps):
        old = past[0] if params.latency else x
        gs = [g(v) for v in old]
        s = 0.0
        for v in gs:
            s += v
        inh = [params.beta * (s - gs[i]) for i in range(n)]
        xi = rng.standard_normal(n)
        eta = [params.ou_a * eta[i] + params.ou_c * float(xi[i]) for i in range(n)]
        r = [max(b[i] + params.alpha * x[i] - inh[i] + eta[i], 0.0) for i in range(n)]
        if params.latency:
            past = past[1:] + [list(x)]
        x = [x[i] + params.dt * (r[i] - x[i]) for i in range(n)]
        if max(x) >= params.stop:
            return x.index(max(x)), t + 1, True
    return -1, params.max_steps, False


@pytest.mark.parametrize(
    "params",
    [
        NetworkParams(n=4, delta=0.1),
        NetworkParams(n=4, delta=0.1, kind="wta"),
        NetworkParams(n=4, delta=0.1, latency=3),
        NetworkParams(n=4, delta=0.1, latency=1, kind="wta"),
        NetworkParams(n=4, delta=0.05, horizon=3.0),  # mostly undecided
    ],
    ids=["nwta", "wta", "nwta-latency3", "wta-latency1", "short-horizon"],
)
def test_matches_literal_transcription(params):
    for seed in range(4):
        result = simulate_float(params, 1, seed)
        winner, steps, decided = _literal_trial(params, seed)
        assert (int(result.winner[0]), int(result.steps[0]), bool(result.decided[0])) == (
            winner,
            steps,
            decided,
        )


# --------------------------------------------------------------------------------------------
# Seeds, inputs, progress, validation.
# --------------------------------------------------------------------------------------------


def _same(a: TrialResults, b: TrialResults) -> bool:
    return all(
        np.array_equal(getattr(a, name), getattr(b, name))
        for name in ("winner", "top", "steps", "decided")
    )


def test_seed_reproducible_and_seeds_differ():
    params = NetworkParams(n=10)
    first = simulate_float(params, 50, 11)
    assert _same(first, simulate_float(params, 50, 11))
    other = simulate_float(params, 50, 12)
    assert not np.array_equal(first.steps, other.steps)
    assert not np.array_equal(first.top, other.top)


def test_random_tops_are_uniform_and_given_tops_keep_the_noise():
    params = NetworkParams(n=5, delta=0.1)
    result = simulate_float(params, 400, 5)
    counts = np.bincount(result.top, minlength=5)
    assert counts.min() > 50  # expected 80 each
    # The draw is made and discarded when tops are given: same tops -> same trials.
    assert _same(result, simulate_float(params, 400, 5, top=result.top.copy()))
    shifted = (result.top + 1) % 5
    moved = simulate_float(params, 400, 5, top=shifted)
    assert np.array_equal(moved.top, shifted)
    assert moved.accuracy > 0.9  # the winner follows the input


def test_mixed_batch_invariants():
    params = NetworkParams(n=10, horizon=15.0)  # mean decision time is about 22 tau
    result = simulate_float(params, 200, 3)
    assert 0.05 < result.decided_fraction < 0.95
    undecided = ~result.decided
    assert (result.steps[undecided] == params.max_steps).all()
    assert (result.winner[undecided] == -1).all()
    assert (result.steps[result.decided] <= params.max_steps).all()
    assert (result.steps[result.decided] >= 1).all()
    assert ((result.winner[result.decided] >= 0) & (result.winner[result.decided] < 10)).all()
    assert result.dt == params.dt


def test_progress_reports_monotonically_and_finishes():
    calls = []
    simulate_float(
        NetworkParams(n=10), 30, 0, progress=lambda done, total: calls.append((done, total))
    )
    assert len(calls) >= 2
    assert calls[-1] == (30, 30)
    assert all(total == 30 and 0 <= done <= 30 for done, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.mark.parametrize("trials", [0, -3, 2.0, True, "5", None])
def test_bad_trial_count(trials):
    with pytest.raises(ValueError, match="Trial count must be an integer of at least 1, not "):
        simulate_float(NetworkParams(), trials, 0)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.0, False, "0", None])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match=r"Seed must be an integer in 0..2\*\*32-1, not "):
        simulate_float(NetworkParams(), 1, seed)


def test_numpy_integers_accepted():
    result = simulate_float(NetworkParams(n=2, delta=0.1), np.int64(3), np.uint32(1))
    assert result.trials == 3


@pytest.mark.parametrize(
    "top", [np.array([0, 1]), np.array([0, 1, 10]), np.array([0, -1, 2]), np.array([0.0, 1, 2])]
)
def test_bad_top(top):
    with pytest.raises(ValueError, match="Top options"):
        simulate_float(NetworkParams(n=10), 3, 0, top=top)


def test_params_type_checked():
    with pytest.raises(TypeError, match="NetworkParams"):
        simulate_float({"n": 10}, 1, 0)


# --------------------------------------------------------------------------------------------
# The reference table of reference/nwta.md (the paper point, float model).
#
# A row passes when |ours - table| <= 2*(our standard error) + (the table's ±), and every
# trial decided. The default suite runs a few hundred trials; the slow suite runs more
# trials, so our own standard error is well below the table's.
# --------------------------------------------------------------------------------------------

SEED = 2020


def _check_row(result: TrialResults, time, time_pm, acc, acc_pm):
    summary = result.summary()
    assert result.decided_fraction == 1.0, summary
    assert abs(result.mean_decision_time - time) <= 2 * result.decision_time_se + time_pm, summary
    assert abs(result.accuracy - acc) <= 2 * result.accuracy_se + acc_pm, summary


def _row(n, delta, trials, dt=2.0**-7, kind="nwta") -> TrialResults:
    return simulate_float(NetworkParams(kind=kind, n=n, delta=delta, dt=dt), trials, SEED)


def test_table_nwta_n10_delta005():
    _check_row(_row(10, 0.05, 400), 22.1, 0.5, 0.87, 0.02)


def test_table_nwta_n10_delta005_dt001():
    _check_row(_row(10, 0.05, 400, dt=0.01), 22.1, 0.5, 0.87, 0.02)


def test_table_nwta_n100_delta005():
    _check_row(_row(100, 0.05, 200), 33.7, 1.0, 0.62, 0.04)


def test_table_nwta_n2_delta010():
    # "about 9.3" and accuracy 1.00: we allow ±0.2 tau and at most 1 % errors.
    result = _row(2, 0.10, 400)
    _check_row(result, 9.3, 0.2, 1.0, 0.0)
    assert result.accuracy >= 0.99


def test_table_conventional_wta_n64_undecided():
    # About 0 % decided within 200 tau; the same network with the nWTA gate decides every
    # trial, early and correctly (so "undecided" is not a broken simulator).
    result = _row(64, 0.10, 20, kind="wta")
    assert result.decided_fraction == 0.0
    assert (result.steps == NetworkParams().max_steps).all()
    gated = _row(64, 0.10, 50)
    assert gated.decided_fraction == 1.0
    assert gated.mean_decision_time < 30.0
    assert gated.accuracy >= 0.95


@pytest.mark.slow
@pytest.mark.parametrize("dt", [2.0**-7, 0.01], ids=["dt=2^-7", "dt=0.01"])
@pytest.mark.parametrize(
    ("n", "delta", "time", "time_pm", "acc", "acc_pm"),
    [
        (10, 0.05, 22.1, 0.5, 0.87, 0.02),
        (100, 0.05, 33.7, 1.0, 0.62, 0.04),
        (2, 0.10, 9.3, 0.2, 1.0, 0.0),
    ],
    ids=["nwta-N10-D0.05", "nwta-N100-D0.05", "nwta-N2-D0.10"],
)
def test_table_slow(n, delta, time, time_pm, acc, acc_pm, dt):
    result = _row(n, delta, 2000, dt=dt)
    _check_row(result, time, time_pm, acc, acc_pm)
    if acc == 1.0:
        assert result.accuracy >= 0.99


@pytest.mark.slow
def test_table_conventional_wta_n64_undecided_slow():
    result = _row(64, 0.10, 200, kind="wta")
    assert result.decided_fraction <= 0.01
