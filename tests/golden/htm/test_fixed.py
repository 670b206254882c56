"""The HTM spatial pooler's fixed-point model: its invariants, its duty-cycle arithmetic and
its behaviour beside the float reference (boosting, stable codes)."""

import numpy as np
import pytest

from gaba.golden.htm import reference as ref
from gaba.golden.htm.fixed import FixedSpatialPooler, SpatialPoolerConfig


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
    for duty in (sp.active_duty, sp.overlap_duty):
        assert duty.min() >= 0 and duty.max() <= 1 << cfg.duty_bits
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


def test_the_duty_cycle_update_by_hand():
    # period 4 (shift 2); iteration 1: s = 0, the duty is the value; 2, 3: s = 1; 4 on: s = 2
    p = ref.SpatialPoolerParams(inputs=8, columns=20, duty_cycle_period=4)
    sp = FixedSpatialPooler(SpatialPoolerConfig(params=p), seed=1)
    one = 1 << 16
    x = np.zeros(8, bool)  # no overlap anywhere: the overlap duty only decays
    sp.overlap_duty[:] = 1000
    sp.compute(x)
    assert (sp.overlap_duty == 0).all()  # s = 0: the old value goes entirely
    sp.overlap_duty[:] = 1001
    sp.compute(x)  # s = 1: 1001 - 500
    assert (sp.overlap_duty == 501).all()
    sp.compute(x)
    sp.compute(x)  # s = 1 (iteration 3): 501 - 250 = 251; s = 2 (iteration 4): 251 - 62 = 189
    assert (sp.overlap_duty == 189).all()
    before = sp.active_duty.copy()
    won = sp.compute(x)  # s = 2: a winner's duty is d - (d >> 2) + one/4, the others' d - (d >> 2)
    lost = np.setdiff1d(np.arange(20), won)
    assert (
        len(won) == 1 and (sp.active_duty[won] == before[won] - (before[won] >> 2) + one // 4).all()
    )
    assert (sp.active_duty[lost] == before[lost] - (before[lost] >> 2)).all()
    with pytest.raises(ValueError, match="dec_q quantises to 0"):
        SpatialPoolerConfig(perm_bits=5)
