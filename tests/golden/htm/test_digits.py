"""The spatial pooler on the digits (gaba.golden.htm.digits)."""

import json

import numpy as np
import pytest

from gaba.golden.htm import digits

#: A small pooler for a quick run (the demonstration's has 1024 columns).
SMALL = digits.DIGITS_PARAMS.replace(columns=160)


def test_the_data_and_the_split():
    bits, labels = digits.load()
    assert (
        bits.shape == (1797, 64) and bits.dtype == bool and set(labels.tolist()) == set(range(10))
    )
    train_x, train_y, test_x, test_y = digits.digits(4)
    assert len(train_x) == 1347 and len(test_x) == 450
    again = digits.digits(4)
    assert np.array_equal(again[0], train_x) and not np.array_equal(digits.digits(5)[0], train_x)


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


def test_a_bad_model_is_refused():
    with pytest.raises(ValueError, match="Model must be float or fixed"):
        digits.run("spice", 1, 1, params=SMALL)


@pytest.mark.slow  # every image presented in Python: 10 s
def test_foldiaks_layer_on_the_digits():
    f = digits.foldiak_digits(1, 2, n=16)
    assert f["units"] == 16 and 0 < f["active_per_code"] < 16
    assert f["code_accuracy"] > 0.2 and f["pixel_accuracy"] > 0.85  # ten classes: chance 0.1
    assert f["within_class_overlap"] > f["between_class_overlap"]
