"""The HTM spatial pooler's float reference: htm.core's unit-test vectors and exact sparsity."""

import numpy as np
import pytest

from gaba.golden.htm import reference as ref

LOCAL = [1, 2, 7, 0, 3, 4, 16, 1, 1.5, 1.7]


def test_global_inhibition_vectors():
    assert ref.inhibit_global([1, 2, 1, 4, 8, 3, 12, 5, 4, 1], 0.3).tolist() == [4, 6, 7]
    assert ref.inhibit_global(np.arange(1, 11), 0.5).tolist() == [5, 6, 7, 8, 9]


def test_global_ties_go_to_the_larger_index_and_the_threshold_drops_winners():
    assert ref.inhibit_global([3, 3, 3, 3], 0.5).tolist() == [2, 3]
    assert ref.inhibit_global([5, 0, 0, 1], 0.5, stimulus_threshold=2).tolist() == [0]
    with pytest.raises(ValueError, match="no active column"):
        ref.inhibit_global([1, 2, 3], 0.2)


@pytest.mark.parametrize(
    ("overlaps", "radius", "density", "wrap", "want"),
    [
        (LOCAL, 2, 0.5, False, [1, 2, 5, 6, 9]),
        (LOCAL, 3, 0.5, False, [1, 2, 4, 5, 6, 9]),
        ([1] * 10, 3, 0.25, False, [0, 2, 4, 6]),
        (LOCAL, 2, 0.5, True, [1, 2, 5, 6, 8, 9]),
        (LOCAL, 3, 0.5, True, [1, 2, 4, 5, 6, 9]),
        ([1] * 10, 3, 0.25, True, [0, 1, 4, 5]),
    ],
)
def test_local_inhibition_vectors(overlaps, radius, density, wrap, want):
    got = ref.inhibit_local(overlaps, density, radius, wrap=wrap, stimulus_threshold=1)
    assert got.tolist() == want


def test_boost_factor_vectors():
    duty = [0.1, 0.3, 0.02, 0.04, 0.7, 0.12]
    local = ref.boost_factors(duty, 10, radius=5, wrap=False)
    assert np.allclose(local, [3.10599, 0.42035, 6.91251, 5.65949, 0.00769898, 2.54297], rtol=1e-5)
    glob = ref.boost_factors(duty, 10, density=0.5)
    assert np.allclose(
        glob, [54.598, 7.389, 121.51, 99.484, 0.1353, 44.701], rtol=5e-4
    )  # (as printed: 4 to 5 digits)


def test_zero_input_activates_nothing_above_a_threshold():
    sp = ref.SpatialPooler(ref.SpatialPoolerParams(columns=100, stimulus_threshold=1), seed=2)
    assert len(sp.compute(np.zeros(64, bool))) == 0


@pytest.mark.parametrize("active", [1, 10, 50])
def test_exactly_k_columns_are_active(active):
    p = ref.SpatialPoolerParams(columns=100, local_area_density=active / 100)
    sp = ref.SpatialPooler(p, seed=5)
    rng = np.random.default_rng(1)
    for _ in range(20):
        assert len(sp.compute(rng.random(64) < 0.2)) == active
