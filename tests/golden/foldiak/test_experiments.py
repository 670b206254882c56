import numpy as np
import pytest

from gaba.golden.foldiak import bars, letters
from gaba.golden.foldiak import experiments as fe
from gaba.golden.foldiak import fixed as fk
from gaba.golden.foldiak.config import FoldiakConfig


def test_bars_outcome_is_the_scored_model():
    o = fe.run_bars("fixed", 3, 400, 6, test_patterns=200, snapshot_every=200)
    lr = fk.train(FoldiakConfig.paper(), 3, 400, 6, snapshot_every=200)
    assert np.array_equal(o.learned.q, lr.q)
    assert o.represented.tolist() == bars.bars_represented(lr.q).tolist()
    x, masks = fk.test_patterns(6, 3, 200)
    y = fk.respond(FoldiakConfig.paper(), lr.q, lr.w, lr.t, x) > 2048
    want = bars.code_errors(y, masks, bars.unit_bars(lr.q)).mean(axis=1)
    assert np.allclose(o.code_error, want)
    s = o.summary()
    assert s["curve"]["presentations"] == [0, 200, 400]
    assert s["code_error"] == round(float(want.mean()), 5) and s["test_patterns"] == 200
    assert s["config_digest"] == FoldiakConfig.paper().digest()
    assert s["w_range"][0] == round(lr.w.min() / 4096, 4)


def test_float_bars_run():
    o = fe.run_bars("float", 2, 100, 1, test_patterns=50)
    s = o.summary()
    assert s["model"] == "float" and "config_digest" not in s and s["runs"] == 2
    assert len(s["code_error_per_run"]) == 2 and s["w_saturated_runs"] == 0


def test_letters_outcome_codes_every_letter():
    o = fe.run_letters("fixed", 2, 500, 3)
    cfg = FoldiakConfig.paper(**letters.CONFIG_CHANGES)
    lr = fk.train(cfg, 2, 500, 3, source=letters.prng_letters)
    assert np.array_equal(o.learned.q, lr.q)
    glyphs = np.broadcast_to(letters.glyphs(), (2, 26, 64))
    assert np.array_equal(o.codes, fk.respond(cfg, lr.q, lr.w, lr.t, glyphs) > cfg.half)
    s = o.summary()
    assert s["runs"] == 2 and len(s["distinct_codes"]) == 2 and s["t_range"][1] < 32


def test_float_letters_run():
    s = fe.run_letters("float", 1, 200, 2).summary()
    assert s["model"] == "float" and s["presentations"] == 200 and s["runs"] == 1


@pytest.mark.parametrize("run", [fe.run_bars, fe.run_letters])
def test_unknown_model_is_refused(run):
    with pytest.raises(ValueError, match="model must be one of float, fixed, not 'spice'"):
        run("spice", 1, 10, 1)
