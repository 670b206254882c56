import pytest

from gaba.golden import primitives
from gaba.golden.config import Config
from gaba.golden.noisestats import noise_statistics


@pytest.fixture(scope="module")
def stats():
    return noise_statistics(Config.paper(), steps=20000, n=8, seed=3)


def test_xi_statistics(stats):
    xi = stats["xi"]
    assert abs(xi["mean"]) < 0.01
    assert abs(xi["std"] - 1) < 0.01
    assert abs(xi["excess_kurtosis"] - (-1.2 / 4)) < 0.03  # Irwin-Hall of 4: -1.2/4
    assert xi["max_abs"] <= 510 / primitives.XI_STD
    assert abs(xi["lag1"]) < 0.01 and abs(xi["lag5"]) < 0.01
    assert xi["max_cross_corr"] < 0.03


def test_eta_is_the_ou_process_of_the_paper(stats):
    eta = stats["eta"]
    assert abs(eta["mean"]) < 0.05  # OU: ~1500 effective samples per neuron
    assert abs(eta["std"] - 1) < 0.03  # in units of sigma
    assert abs(eta["lag1"] - eta["lag1_expected"]) < 0.01
    assert abs(eta["lag5"] - eta["lag5_expected"]) < 0.02
    assert abs(eta["excess_kurtosis"]) < 0.15
    assert 0.5 * stats["gaussian_tail_3sd"] < eta["tail_3sd"] < 1.5 * stats["gaussian_tail_3sd"]
    assert eta["max_cross_corr"] < 0.1
    assert not stats["eta_saturated"]
