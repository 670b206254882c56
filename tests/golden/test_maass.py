"""Maass's demonstrations in the golden model: parity by one k-WTA gate over positive weighted
sums (every input), and a soft-WTA gate over positive linear forms approximating functions."""

import itertools

import numpy as np
import pytest

from gaba.golden import maass


def all_inputs(d):
    return maass.input_bits(np.arange(1 << d), d)


@pytest.mark.parametrize("d", range(2, 9))
def test_one_kwta_gate_computes_parity_on_every_input(d):
    gate = maass.symmetric_gate(maass.parity(d))
    bits = all_inputs(d)
    assert np.array_equal(gate.value(bits), bits.sum(axis=1) % 2 == 1)
    assert gate.m == d + 1  # one form per change of value, and S_0
    assert min(gate.bias) >= 0 and min(min(row) for row in gate.weights) >= 0


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_every_symmetric_function_has_its_gate(d):
    bits = all_inputs(d)
    for truth in itertools.product([False, True], repeat=d + 1):
        gate = maass.symmetric_gate(truth)
        assert np.array_equal(gate.value(bits), np.array(truth)[bits.sum(axis=1)]), truth
        # no form ever ties S_0, so the tie rule never decides the gate's value
        sums = gate.sums(bits)
        assert not (sums[:, 1:] == sums[:, :1]).any()


def test_a_perturbed_gate_is_wrong_somewhere():
    # companion: the fall's steep form a step lower no longer overtakes S_0 at s = 2
    gate = maass.symmetric_gate(maass.parity(3))
    bias = list(gate.bias)
    bias[3] -= 4
    wrong = maass.BooleanGate(gate.weights, tuple(bias), gate.k)
    bits = all_inputs(3)
    assert not np.array_equal(wrong.value(bits), gate.value(bits))


def test_which_functions_one_threshold_gate_computes():
    # by the symmetrisation argument: at most one change of value in s
    assert not maass.one_threshold_gate_can(maass.parity(2))
    assert not maass.one_threshold_gate_can([0, 1, 0, 0])  # exactly one of three
    assert maass.one_threshold_gate_can([0, 0, 1, 1])  # majority of three
    assert maass.one_threshold_gate_can([1, 1, 0])  # NAND


def test_no_small_threshold_gate_computes_xor_but_some_compute_and():
    # a brute-force check of the criterion at d = 2 over integer weights and thresholds
    bits = all_inputs(2)
    gates = [(w, t) for w in itertools.product(range(-4, 5), repeat=2) for t in range(-8, 9)]
    computes = {
        name: any(np.array_equal(bits @ np.array(w) >= t, truth) for w, t in gates)
        for name, truth in (("xor", [0, 1, 1, 0]), ("and", [0, 0, 0, 1]))
    }
    assert computes == {"xor": False, "and": True}


def test_the_config_runs_every_input_in_order():
    cfg = maass.MaassConfig.paper(n=4)
    u, value, mask, truth = maass.trials(cfg, 20, first=5)
    assert np.array_equal(u, (5 + np.arange(20)) % 16)
    assert np.array_equal(value, truth) and (mask.sum(axis=1) == cfg.gate.k).all()
    assert cfg.kwta.n == cfg.gate.m and cfg.kwta.k == cfg.gate.k
    assert int(cfg.gate.sums(all_inputs(4)).max()).bit_length() == cfg.gate.width


@pytest.mark.parametrize("bad", [{"n": 1}, {"n": 13}, {"n": 2.5}])
def test_bad_configs_are_refused(bad):
    with pytest.raises(ValueError, match="Input bits n"):
        maass.MaassConfig.paper(**bad)


def test_bad_gates_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        maass.BooleanGate(((1, -1), (0, 0)), (0, 0), 1)
    with pytest.raises(ValueError, match="m >= 2"):
        maass.BooleanGate(((1, 1),), (0,), 1)


def test_soft_wta_is_the_clipped_rank():
    forms = np.array([[0.3, 0.1, 0.3, 0.9]])
    # ranks: #{j : L_i >= L_j} = 3, 1, 3, 4
    assert np.allclose(maass.soft_wta(forms, 1.0, 2.0), [[1.0, 0.0, 1.0, 1.0]])
    assert np.allclose(maass.soft_wta(forms, 1.0, 4.0), [[0.5, 0.0, 0.5, 0.75]])


@pytest.mark.parametrize("n", [2, 5, 17, 100])
def test_maass_monotone_forms_meet_the_bound(n):
    rows = maass.monotone_errors([n], points=4001)
    assert rows[0]["max_error"] <= rows[0]["bound"] + 1e-12
    assert rows[0]["max_error"] > 0.9 * rows[0]["bound"]  # a staircase of that step


def test_the_fit_uses_positive_weights_and_an_added_form_changes_nothing():
    fit = maass.fit_soft_wta(maass.bump, 2, 64, 32)
    assert fit.n <= 64 and (fit.weights > 0).all() and (fit.bias > 0).all()
    x = maass.grid_points(2, 51)
    rng = np.random.default_rng(3)
    for _ in range(5):
        shift = (rng.uniform(0.1, 10, size=2), rng.uniform(0, 10))
        assert np.array_equal(fit(x, shift=shift), fit(x))


def test_the_fit_gets_better_with_more_forms():
    rows, fit = maass.approximation_errors([8, 64, 256], grid=31)
    rms = [r["rms_error"] for r in rows]
    assert rms[0] > rms[1] > rms[2] and rms[2] < rms[0] / 4
    assert all(r["shift_changes"] == 0 for r in rows) and fit.n == rows[-1]["forms_used"]
