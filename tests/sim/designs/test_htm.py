"""The spatial pooler learning on chip (htm) under cocotb: every step of a training run
bit-exact against the fixed-point model, through the registry."""

import pytest

from gaba.golden.htm import fixed
from gaba.sim import designs

HTM = designs.get("htm")


@pytest.mark.parametrize(
    ("simulator", "n", "inputs", "steps"),
    [
        ("verilator", 32, 40, 300),
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
