import numpy as np
import pytest

from gaba.golden import baselines, fixed
from gaba.golden.config import Config


@pytest.mark.parametrize("n", [3, 10])
def test_integrators_see_the_networks_evidence(n):
    # the integrators' noise is the network's noise: sum b_i + eta_i(t) over the trace
    cfg = Config.paper(n=n, delta=0.05)
    steps, seed = 300, 9
    winner, top = baselines.integrator_trials(cfg, steps, 6, seed)
    for trial in range(6):
        tr = fixed.trace(cfg, seed, trial, steps=steps, run_on=True)
        b = np.full(n, cfg.b_lo)
        b[tr.top] = cfg.b_hi
        evidence = (b + tr.eta[1:]).sum(axis=0)
        assert (int(winner[trial]), int(top[trial])) == (int(np.argmax(evidence)), tr.top)


def test_accuracy_grows_with_integration_time():
    cfg = Config.paper(n=10, delta=0.05)
    acc = [baselines.integrator_accuracy(cfg, t, 400, 3) for t in (16, 256, 4096)]
    assert acc[0] < acc[1] < acc[2] and acc[0] < 0.5 and acc[2] > 0.9


def test_match_accuracy_finds_the_smallest_time():
    cfg = Config.paper(n=10, delta=0.05)
    t, acc = baselines.match_accuracy(cfg, 0.8, 300, 5)
    assert acc >= 0.8 and acc == baselines.integrator_accuracy(cfg, t, 300, 5)
    assert baselines.integrator_accuracy(cfg, t - 1, 300, 5) < 0.8


def test_cycle_counts():
    assert baselines.serial_cycles(64, 100) == 6400
    assert baselines.parallel_cycles(64, 100) == 106  # 6 comparator levels
    assert baselines.parallel_cycles(65, 100) == 107


def test_validation():
    with pytest.raises(ValueError, match="Integration steps must be an integer of at least 1"):
        baselines.integrator_trials(Config.paper(), 0, 4, 1)
