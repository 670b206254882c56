import numpy as np
import pytest

from gaba.golden import noise
from gaba.golden.config import Config
from gaba.golden.noisestats import noise_statistics


def test_xorshift32_matches_marsaglia():
    # Marsaglia (2003), "Xorshift RNGs": from y = 2463534242 the first output is 723471715.
    assert noise.xorshift32(2463534242) == 723471715


def test_xorshift32_stays_32_bit_and_nonzero():
    s = 1
    for _ in range(10000):
        s = noise.xorshift32(s)
        assert 0 < s <= noise.MASK32


def test_fmix32_known_values_and_bijection_on_a_sample():
    assert noise.fmix32(0) == 0
    assert noise.fmix32(1) == 0x514E28B7
    sample = np.arange(0, 2**32, 2**32 // 50000, dtype=np.int64)
    hashed = {noise.fmix32(int(v)) for v in sample}
    assert len(hashed) == len(sample)


def test_irwin_hall4_range_and_exact_moments():
    # every 32-bit word equally likely <=> every byte uniform: moments from the 4-byte sum
    byte = np.arange(256)
    words = byte[:, None] + (byte[None, :] << 8)  # two bytes enumerate the distribution
    two = (words & 0xFF) + ((words >> 8) & 0xFF)
    dist = np.bincount(two.ravel())
    four = np.convolve(dist, dist) / 256**4
    values = np.arange(four.size) - noise.XI_MEAN
    assert values.min() == -510 and values.max() == 510
    assert np.isclose(np.sum(four * values), 0.0)
    assert np.isclose(np.sqrt(np.sum(four * values**2)), noise.XI_STD)
    assert noise.irwin_hall4(0) == -510 and noise.irwin_hall4(noise.MASK32) == 510
    assert noise.irwin_hall4(0x01020304) == 10 - 510


def test_trial_keys_are_a_weyl_sequence_and_tops_cover_all_options():
    k0 = noise.trial_key(7, 0)
    assert noise.trial_key(7, 5) == (k0 + 5 * noise.WEYL) & noise.MASK32
    tops = [noise.trial_top(noise.trial_key(7, t), 10) for t in range(2000)]
    counts = np.bincount(tops, minlength=10)
    assert counts.min() > 150 and counts.max() < 250  # uniform: 200 +- 3.7 sd of a binomial


def test_neuron_seeds_are_odd_distinct_and_salted():
    salts = noise.neuron_salts(64)
    seeds = noise.neuron_seeds(0x12345678, salts)
    assert np.all(seeds & 1) and len(set(seeds.tolist())) == 64
    assert np.array_equal(seeds, (0x12345678 ^ salts) | 1)


@pytest.fixture(scope="module")
def stats():
    return noise_statistics(Config.paper(), steps=20000, n=8, seed=3)


def test_xi_statistics(stats):
    xi = stats["xi"]
    assert abs(xi["mean"]) < 0.01
    assert abs(xi["std"] - 1) < 0.01
    assert abs(xi["excess_kurtosis"] - (-1.2 / 4)) < 0.03  # Irwin-Hall of 4: -1.2/4
    assert xi["max_abs"] <= 510 / noise.XI_STD
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
