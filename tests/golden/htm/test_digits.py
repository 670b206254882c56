"""The spatial pooler on the digits (gaba.golden.htm.digits)."""

import json

import numpy as np
import pytest

from gaba.golden.digits import load
from gaba.golden.htm import digits
from gaba.golden.htm.fixed import FixedSpatialPooler, SpatialPoolerConfig

#: A small pooler for a quick run (the demonstration's has 1024 columns).
SMALL = digits.DIGITS_PARAMS.replace(columns=160)


def test_the_training_schedule_of_a_hardware_run():
    images, learn = digits.schedule(5, 9, 3)
    assert learn.tolist() == [True] * 5 + [False] * 4
    assert np.array_equal(images[:5], digits.training_images(5, 3))
    assert images[5:].tolist() == [0, 1, 2, 3]  # then every image in order
    later = digits.schedule(5, 6, 3, first=3)  # a run from step 3: the same steps
    assert np.array_equal(later[0], images[3:]) and np.array_equal(later[1], learn[3:])
    assert digits.schedule(0, 1800, 3)[0][-3:].tolist() == [1796] * 3
    assert (digits.training_images(2000, 3) < 1347).all()
    # a run across 2**32 wraps its step index as the hardware's 32-bit one: step 0 learns
    wrapped = digits.schedule(1, 3, 3, first=2**32 - 2)
    assert wrapped[1].tolist() == [False, False, True]
    assert wrapped[0][2] == digits.training_images(1, 3)[0]
    with pytest.raises(ValueError, match=r"Learning steps must be an integer in 0\.\.4294967295"):
        digits.schedule(2**32, 3, 3)
    assert not np.array_equal(digits.training_images(50, 3), digits.training_images(50, 4))


def test_a_schedule_run_is_the_fixed_point_pooler_stepped_by_hand():
    cfg = SpatialPoolerConfig(params=SMALL.replace(columns=40))
    active, images, learn = digits.schedule_run(cfg, 6, 10, 2)
    sp = FixedSpatialPooler(cfg, 1)
    for j in range(10):
        want = sp.compute(load()[0][images[j]], learn=bool(learn[j]))
        assert active[j].nonzero()[0].tolist() == want.tolist()
    assert active.sum(axis=1).tolist() == [cfg.k] * 10


@pytest.mark.parametrize("model", ["float", "fixed"])
def test_a_run_codes_sparsely_and_reads_out(model):
    o = digits.run(model, 1, 2, params=SMALL)
    assert o.active_per_code == 8.0  # floor(0.05 * 160) on every image
    assert o.pixel_accuracy > 0.85 and o.code_accuracy > 0.6
    assert o.within_class_overlap > o.between_class_overlap
    # boosting spreads the activity: a lower maximum duty cycle, more columns ever active
    assert o.duty.max() < o.duty_unboosted.max()
    assert (o.duty == 0).sum() < (o.duty_unboosted == 0).sum()
    s = o.summary()
    assert s["duty_boosted"]["never_active"] == int((o.duty == 0).sum())
    assert o.fields.shape == (160, 8, 8) and json.dumps(s)
    assert o.code_stability is None  # one epoch: no code before the last one to compare


def test_code_stability_is_the_share_of_active_columns_kept():
    a = np.array([[1, 1, 0, 0], [0, 1, 1, 1]], bool)
    b = np.array([[1, 0, 0, 1], [0, 1, 1, 1]], bool)
    assert digits.stability(a, b) == (0.5 + 1.0) / 2
    o = digits.run("fixed", 2, 2, params=SMALL)
    assert 0.5 < o.code_stability < 1.0  # learning goes on, but most columns stay


def test_a_bad_model_is_refused():
    with pytest.raises(ValueError, match="Model must be float or fixed"):
        digits.run("spice", 1, 1, params=SMALL)


def test_foldiaks_layer_on_the_digits():
    f = digits.foldiak_digits(1, 2, n=16)
    assert f["units"] == 16 and 0 < f["active_per_code"] < 16
    assert f["code_accuracy"] > 0.2 and f["pixel_accuracy"] > 0.85  # ten classes: chance 0.1
    assert f["within_class_overlap"] > f["between_class_overlap"]
