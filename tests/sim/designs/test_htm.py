# amaranth: UnusedElaboratable=no
"""The spatial pooler learning on chip (htm) under cocotb: every step of a training run
bit-exact against the fixed-point model, through the registry."""

import numpy as np
import pytest

from gaba.golden.htm import digits, fixed
from gaba.sim import designs

HTM = designs.get("htm")


@pytest.mark.parametrize(
    ("simulator", "n", "inputs", "steps"),
    [
        # the Verilator variant is a build of its own; the digits below hold Verilator
        pytest.param("verilator", 32, 40, 300, marks=pytest.mark.slow),
        ("icarus", 12, 16, 60),
        pytest.param("verilator", 128, 64, 1000, marks=pytest.mark.slow),  # the default
        pytest.param("verilator", 256, 100, 1000, marks=pytest.mark.slow),
    ],
)
def test_a_training_run_is_bit_exact(simulator, n, inputs, steps):
    cfg = HTM.config(n=n, inputs=inputs)
    r = HTM.compare(cfg, simulator, trials=steps, seed=5)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.compared == steps and r.unit == "trials"


class EarlierConnection(fixed.SpatialPoolerConfig):
    """The golden model whose synapses connect one step of the permanence grid earlier."""

    @property
    def connected_q(self):
        return super().connected_q - 1


def test_a_perturbed_golden_model_is_caught():
    # companion: the hardware of the icarus build above against a model whose synapses
    # connect a step earlier
    cfg = HTM.config(n=12, inputs=16)
    other = EarlierConnection(params=cfg.params)
    r = HTM.compare(other, "icarus", trials=60, seed=5, hw_config=cfg)
    assert not r.bit_exact and r.first_mismatch.signal == "active"


def test_the_design_has_one_winner_at_least():
    assert HTM.config(n=3).k == 1 and HTM.config().k == 6
    with pytest.raises(ValueError, match="htm takes --n, --inputs only, not --k"):
        HTM.config(k=2)


def test_a_run_from_a_later_step_starts_from_the_initial_state_too():
    # the engine is reset for every comparison: only its inputs are those of the later steps
    cfg = HTM.config(n=12, inputs=16)
    r = HTM.compare(cfg, "icarus", trials=20, seed=5, first=30)
    assert r.bit_exact, r.first_mismatch.describe()


HTM_DIGITS = designs.get("htm-digits")


@pytest.mark.parametrize(
    ("simulator", "n", "steps", "learning"),
    [
        ("verilator", 32, 240, 160),
        pytest.param("icarus", 12, 40, 25, marks=pytest.mark.slow),  # Icarus: 10 s
        pytest.param("verilator", 256, 3000, 2000, marks=pytest.mark.slow),
    ],
)
def test_the_digits_learned_from_the_rom_are_bit_exact(simulator, n, steps, learning):
    cfg = HTM_DIGITS.config(n=n)
    r = HTM_DIGITS.compare(cfg, simulator, trials=steps, seed=4, inputs={"learning": learning})
    assert r.bit_exact, r.first_mismatch.describe()
    results = r.outputs["results"]
    assert [hw["learn"] for hw in results] == [True] * learning + [False] * (steps - learning)
    assert [hw["image"] for hw in results[learning:]] == list(range(steps - learning))
    assert r.summary["learning"] == learning


def test_a_perturbed_training_draw_is_caught(monkeypatch):
    # companion: the verilator build above against a golden model that draws the next image
    cfg = HTM_DIGITS.config(n=32)
    draw = digits.training_images
    monkeypatch.setattr(digits, "training_images", lambda *a, **k: (draw(*a, **k) + 1) % 1347)
    r = HTM_DIGITS.compare(cfg, "verilator", trials=40, seed=4, inputs={"learning": 25})
    m = r.first_mismatch
    assert not r.bit_exact and m.signal == "image" and m["trial"] == 0


def test_perturbed_pixels_of_the_right_image_are_caught(monkeypatch):
    # companion on the data: the golden model reads image j + 1's pixels where the ROM has
    # image j's (the index still agrees): the masks must differ. The hardware is built first,
    # from the true images.
    from gaba.golden import digits as data
    from gaba.sim import runner

    cfg = HTM_DIGITS.config(n=32)
    runner.build(HTM_DIGITS, cfg, "verilator")
    bits, labels = data.load()
    monkeypatch.setattr(data, "load", lambda: (np.roll(bits, -1, axis=0), labels))
    r = HTM_DIGITS.compare(cfg, "verilator", trials=40, seed=4, inputs={"learning": 25})
    assert not r.bit_exact and r.first_mismatch.signal == "active"


def test_the_compare_default_learns_the_first_half_of_the_run_from_step_0():
    assert HTM_DIGITS.run_inputs(50) == {"learning": 25}
    assert HTM_DIGITS.run_inputs(50, first=100) == {"learning": 125}
    # compare takes that default with its own first step: steps 30..39 learn, 40..49 code
    r = HTM_DIGITS.compare(HTM_DIGITS.config(n=32), "verilator", trials=20, seed=4, first=30)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.summary["learning"] == 40
    assert [hw["learn"] for hw in r.outputs["results"]] == [True] * 10 + [False] * 10


def test_the_digits_design_takes_columns_only_and_refuses_other_inputs():
    assert HTM_DIGITS.config(n=40).inputs == 64 and HTM_DIGITS.config(n=3).k == 1
    with pytest.raises(ValueError, match="htm-digits takes --n only, not --inputs"):
        HTM_DIGITS.config(inputs=16)
    with pytest.raises(ValueError, match="Columns must be an integer of at least 1, not 0"):
        HTM_DIGITS.config(n=0)
    with pytest.raises(ValueError, match="the pooler needs 64 inputs, not 16"):
        HTM_DIGITS.component(HTM.config(n=12, inputs=16))
