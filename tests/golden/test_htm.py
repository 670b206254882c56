"""The HTM spatial pooler: htm.core's unit-test vectors on the float reference, and the
fixed-point model's invariants and behaviour beside it."""

import numpy as np
import pytest

from gaba.golden.htm import reference as ref
from gaba.golden.htm.fixed import FixedSpatialPooler, SpatialPoolerConfig

LOCAL = [1, 2, 7, 0, 3, 4, 16, 1, 1.5, 1.7]


def test_global_inhibition_vectors():
    assert ref.inhibit_global([1, 2, 1, 4, 8, 3, 12, 5, 4, 1], 0.3).tolist() == [4, 6, 7]
    assert ref.inhibit_global(np.arange(1, 11), 0.5).tolist() == [5, 6, 7, 8, 9]


def test_global_ties_go_to_the_larger_index_and_the_threshold_drops_winners():
    assert ref.inhibit_global([3, 3, 3, 3], 0.5).tolist() == [2, 3]
    assert ref.inhibit_global([5, 0, 0, 1], 0.5, stimulus_threshold=2).tolist() == [0]
    with pytest.raises(ValueError, match="no active column"):
        ref.inhibit_global([1, 2, 3], 0.2)


@pytest.mark.parametrize(
    ("overlaps", "radius", "density", "wrap", "want"),
    [
        (LOCAL, 2, 0.5, False, [1, 2, 5, 6, 9]),
        (LOCAL, 3, 0.5, False, [1, 2, 4, 5, 6, 9]),
        ([1] * 10, 3, 0.25, False, [0, 2, 4, 6]),
        (LOCAL, 2, 0.5, True, [1, 2, 5, 6, 8, 9]),
        (LOCAL, 3, 0.5, True, [1, 2, 4, 5, 6, 9]),
        ([1] * 10, 3, 0.25, True, [0, 1, 4, 5]),
    ],
)
def test_local_inhibition_vectors(overlaps, radius, density, wrap, want):
    got = ref.inhibit_local(overlaps, density, radius, wrap=wrap, stimulus_threshold=1)
    assert got.tolist() == want


def test_boost_factor_vectors():
    duty = [0.1, 0.3, 0.02, 0.04, 0.7, 0.12]
    local = ref.boost_factors(duty, 10, radius=5, wrap=False)
    assert np.allclose(local, [3.10599, 0.42035, 6.91251, 5.65949, 0.00769898, 2.54297], rtol=1e-5)
    glob = ref.boost_factors(duty, 10, density=0.5)
    assert np.allclose(
        glob, [54.598, 7.389, 121.51, 99.484, 0.1353, 44.701], rtol=5e-4
    )  # (as printed: 4 to 5 digits)


def test_zero_input_activates_nothing_above_a_threshold():
    sp = ref.SpatialPooler(ref.SpatialPoolerParams(columns=100, stimulus_threshold=1), seed=2)
    assert len(sp.compute(np.zeros(64, bool))) == 0


@pytest.mark.parametrize("active", [1, 10, 50])
def test_exactly_k_columns_are_active(active):
    p = ref.SpatialPoolerParams(columns=100, local_area_density=active / 100)
    sp = ref.SpatialPooler(p, seed=5)
    rng = np.random.default_rng(1)
    for _ in range(20):
        assert len(sp.compute(rng.random(64) < 0.2)) == active


def patterns(count=20, seed=0):
    rng = np.random.default_rng(seed)
    pats = np.zeros((count, 64), bool)
    for i in range(count):
        pats[i, rng.choice(64, 8, replace=False)] = True
    return pats, pats[rng.integers(0, count, 1500)]


def trained(model, strength):
    params = ref.SpatialPoolerParams(boost_strength=strength, duty_cycle_period=256)
    if model == "float":
        sp = ref.SpatialPooler(params, seed=3)
    else:
        sp = FixedSpatialPooler(SpatialPoolerConfig(params=params), seed=3)
    pats, seq = patterns()
    out = sp.run(seq)
    return sp, out, pats


@pytest.mark.parametrize("model", ["float", "fixed"])
def test_boosting_evens_out_the_duty_cycles(model):
    _, plain, _ = trained(model, 0.0)
    _, boosted, _ = trained(model, 3.0)
    for out in (plain, boosted):
        assert (out.sum(axis=1) == 6).all()  # exact sparsity: k = floor(0.05 * 128)
    use_plain, use_boosted = plain[-500:].mean(axis=0), boosted[-500:].mean(axis=0)
    assert use_boosted.max() < 0.7 * use_plain.max()
    assert (boosted.sum(axis=0) == 0).sum() < 0.8 * (plain.sum(axis=0) == 0).sum()


@pytest.mark.parametrize("model", ["float", "fixed"])
def test_learned_codes_are_stable_and_distinct(model):
    sp, _, pats = trained(model, 3.0)
    first, again = sp.run(pats, learn=False), sp.run(pats, learn=False)
    assert np.array_equal(first, again)
    assert len({tuple(row) for row in first}) == len(pats)


def test_the_fixed_model_keeps_its_ranges():
    sp, out, _ = trained("fixed", 3.0)
    cfg = sp.cfg
    assert sp.perm.min() >= 0 and sp.perm.max() <= cfg.perm_max
    assert (sp.perm[~sp.potential] == 0).all()
    assert sp.active_duty.max() <= 1 << cfg.duty_bits
    assert sp.boost.max() < 1 << cfg.boost_width
    # the duty cycle counts activity: its mean over columns is k / columns
    assert abs(sp.active_duty.mean() / (1 << cfg.duty_bits) - 6 / 128) < 0.01


def test_the_fixed_model_follows_the_float_one():
    # same pools, permanences on a grid of 1/255: the codes of the trained models overlap
    f, _, pats = trained("float", 0.0)
    q, _, _ = trained("fixed", 0.0)
    a, b = f.run(pats, learn=False), q.run(pats, learn=False)
    shared = (a & b).sum(axis=1) / 6
    assert shared.mean() > 0.5


def test_fixed_config_constants_and_refusals():
    cfg = SpatialPoolerConfig()
    assert (cfg.inc_q, cfg.dec_q, cfg.connected_q, cfg.bump_q) == (13, 2, 26, 3)
    assert cfg.duty_shift == 10 and cfg.k == 6 and cfg.pct_q == 66
    assert (cfg.boost_table == 256).all()
    boosted = SpatialPoolerConfig(params=ref.SpatialPoolerParams(boost_strength=3.0))
    assert boosted.boost_table[0] == round(np.exp((0.05 - 1 / 128) * 3) * 256)
    with pytest.raises(ValueError, match="global inhibition only"):
        SpatialPoolerConfig(params=ref.SpatialPoolerParams(global_inhibition=False))
    with pytest.raises(ValueError, match="inc_q quantises to 0"):
        SpatialPoolerConfig(params=ref.SpatialPoolerParams(active_inc=0.001))
    with pytest.raises(ValueError, match="input must be 64 bits"):
        FixedSpatialPooler().compute(np.zeros(10))
