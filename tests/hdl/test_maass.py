# amaranth: UnusedElaboratable=no
"""Maass's parity gate in hardware (gaba.hdl.maass) in Amaranth's simulator, every input
against the golden model."""

import numpy as np
import pytest

from gaba.golden import maass
from gaba.golden.kwta import serial_clocks
from gaba.hdl.maass import BooleanKwtaEngine


def run(trial_engine, cfg, count, first=0, ready=lambda c: True):
    got = trial_engine(
        BooleanKwtaEngine(cfg),
        count,
        inputs={"seed": 7, "first": first},
        max_cycles=count * 4 * serial_clocks(cfg.kwta) + 10,
        ready=ready,
    )
    return got


def fields(got, m):
    inputs = np.array([p.inputs for p in got])
    value = np.array([p.value for p in got], bool)
    mask = np.array([[(int(p.mask) >> j) & 1 for j in range(m)] for p in got], bool)
    return inputs, value, mask, np.array([p.clocks for p in got])


@pytest.mark.parametrize("d", [2, 3, 4])
def test_every_input_is_the_golden_model(trial_engine, d):
    cfg = maass.MaassConfig.paper(n=d)
    count = 1 << d
    inputs, value, mask, clocks = fields(run(trial_engine, cfg, count), cfg.gate.m)
    u, want_value, want_mask, truth = maass.trials(cfg, count)
    assert np.array_equal(inputs, u) and np.array_equal(mask, want_mask)
    assert np.array_equal(value, want_value) and np.array_equal(value, truth)
    assert (clocks == serial_clocks(cfg.kwta)).all()


def test_a_run_from_another_first_input_under_backpressure(trial_engine):
    cfg = maass.MaassConfig.paper(n=3)
    got = run(trial_engine, cfg, 11, first=13, ready=lambda c: c % 4 == 1)
    inputs, value, mask, clocks = fields(got, cfg.gate.m)
    u, want_value, want_mask, _ = maass.trials(cfg, 11, first=13)
    assert np.array_equal(inputs, u) and np.array_equal(value, want_value)
    assert np.array_equal(mask, want_mask) and (clocks == serial_clocks(cfg.kwta)).all()


def test_a_perturbed_golden_model_is_caught(trial_engine):
    # companion: the same hardware against a gate whose fall sum is a step lower (wrong at
    # s = 2 only)
    cfg = maass.MaassConfig.paper(n=3)
    _, value, mask, _ = fields(run(trial_engine, cfg, 8), cfg.gate.m)
    bias = list(cfg.gate.bias)
    bias[3] -= 4
    wrong = maass.BooleanGate(cfg.gate.weights, tuple(bias), cfg.gate.k)
    bits = maass.input_bits(np.arange(8), 3)
    assert not np.array_equal(mask, wrong.mask(bits))
    assert not np.array_equal(value, wrong.value(bits))


def test_a_config_of_another_kind_is_refused():
    with pytest.raises(ValueError, match="MaassConfig"):
        BooleanKwtaEngine(object())
