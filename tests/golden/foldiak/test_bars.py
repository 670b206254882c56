import numpy as np
import pytest

from gaba.golden import primitives
from gaba.golden.foldiak import bars

# -- generators ------------------------------------------------------------------------------


def test_bar_pixels_are_rows_then_columns():
    px = bars.bar_pixels().reshape(16, 8, 8)
    assert px.sum() == 16 * 8
    assert px[2, 2].all() and px[2].sum() == 8  # bar 2: row 2
    assert px[8 + 5, :, 5].all() and px[8 + 5].sum() == 8  # bar 13: column 5


def test_patterns_from_masks_or_the_bars():
    mask = (1 << 2) | (1 << (8 + 5))  # row 2 and column 5
    x = bars.patterns_from_masks(np.array([mask, 0]))
    grid = x[0].reshape(8, 8)
    assert grid[2].all() and grid[:, 5].all() and grid.sum() == 8 + 8 - 1
    assert x[0][2 * 8 + 5] == 1 and x[0][3 * 8 + 4] == 0  # pixel (r, c) is x[r*8 + c]
    assert x[1].sum() == 0 and x.dtype == np.uint8


def _xs(s):
    return int(primitives.xorshift32(s))


def test_prng_bars_rule_by_hand():
    states = np.array([12345, 0xDEADBEEF], np.int64)
    start = states.copy()
    x, masks = bars.prng_bars(states, 3)
    for r in range(2):
        s = int(start[r])
        for k in range(3):
            r1 = s = _xs(s)
            r2 = s = _xs(s)
            want = 0
            for b in range(8):
                want |= int((r1 >> (3 * b)) & 7 == 0) << b
                want |= int((r2 >> (3 * b)) & 7 == 0) << (8 + b)
            assert masks[r, k] == want
            assert np.array_equal(x[r, k], bars.patterns_from_masks(np.array(want)))
        assert states[r] == s  # advanced in place by two steps per pattern


def test_prng_bars_continue_where_they_stopped():
    a = np.array([99], np.int64)
    b = a.copy()
    _, whole = bars.prng_bars(a, 10)
    _, first = bars.prng_bars(b, 4)
    _, rest = bars.prng_bars(b, 6)
    assert np.array_equal(whole, np.concatenate([first, rest], axis=1))


def _bar_stats(masks):
    bits = (masks.reshape(-1)[:, None] >> np.arange(16)) & 1
    return bits.mean(axis=0), (bits[:, :, None] & bits[:, None, :]).mean(axis=0)


@pytest.mark.parametrize("kind", ["prng", "float"])
def test_each_bar_is_drawn_with_probability_one_eighth_independently(kind):
    count = 40000
    if kind == "prng":
        _, masks = bars.prng_bars(np.array([7, 8], np.int64), count // 2)
    else:
        _, masks = bars.float_bars(np.random.default_rng(3), count)
    freq, pairs = _bar_stats(masks)
    se = np.sqrt(0.125 * 0.875 / count)
    assert np.all(np.abs(freq - 0.125) < 4.5 * se), freq
    off = ~np.eye(16, dtype=bool)
    se2 = np.sqrt(1 / 64 * 63 / 64 / count)
    assert np.all(np.abs(pairs[off] - 1 / 64) < 5 * se2), pairs[off].min()


def test_the_statistics_check_catches_a_biased_generator():
    # companion: a generator drawing rows with bits [3k, 3k+2) (p = 1/4) must be rejected
    rng = np.random.default_rng(1)
    masks = (rng.random((40000, 16)) < np.r_[[0.25] * 8, [0.125] * 8]).astype(np.int64)
    freq, _ = _bar_stats(masks @ (1 << np.arange(16)))
    assert not np.all(np.abs(freq - 0.125) < 4.5 * np.sqrt(0.125 * 0.875 / 40000))


def test_prng_bars_validate_states():
    with pytest.raises(ValueError, match="one-dimensional int64 array"):
        bars.prng_bars(np.array([1, 2], np.uint32), 3)


# -- scoring on hand-built weights -----------------------------------------------------------


def test_perfect_bar_units_are_recognised():
    q = bars.bar_pixels().astype(np.int64) * 4000
    assert bars.unit_bars(q).tolist() == list(range(16))
    assert int(bars.bars_represented(q)) == 16


def test_more_than_twice_the_second_is_strict():
    grid = np.zeros((3, 8, 8))
    grid[0, 1, :] = 1.0  # row 1 sums to 8
    grid[0, 4, 0:4] = 1.0  # row 4 sums to 4: exactly half -> not represented
    grid[1, 1, :] = 1.0
    grid[1, 4, 0:3] = 1.0  # row 4 sums to 3; columns 0..2 sum to 2 -> represented
    grid[2, :, 6] = 2.0  # column 6, no competitor
    q = grid.reshape(3, 64)
    assert bars.unit_bars(q).tolist() == [-1, 1, 8 + 6]


def test_negative_weights_are_clipped_before_scoring():
    q = np.zeros((1, 64))
    q[0, 0:8] = 1.0  # row 0
    q[0, 8:16] = -50.0  # row 1 strongly negative: ignored, not a competitor
    assert bars.unit_bars(q).tolist() == [0]


def test_an_all_zero_unit_represents_nothing():
    assert bars.unit_bars(np.zeros((2, 64))).tolist() == [-1, -1]


def test_bars_represented_counts_different_bars_over_runs():
    px = bars.bar_pixels().astype(float)
    runs = np.stack([px, px.copy(), px.copy()])
    runs[1, 5] = px[3]  # unit 5 duplicates bar 3: 15 different bars
    runs[2, :8] = 0.0  # units 0..7 silent: 8 bars
    assert bars.bars_represented(runs).tolist() == [16, 15, 8]


def test_decode_and_code_errors_by_hand():
    unit_bar = np.array([3, 9, -1, 3])
    y = np.array(
        [
            [1, 0, 0, 0],  # bar 3
            [1, 1, 0, 1],  # bars 3 and 9 (two units code bar 3: fine)
            [0, 0, 1, 0],  # unit 2 represents no bar: an error whatever is drawn
            [0, 0, 0, 0],  # silence
        ],
        bool,
    )
    decoded = bars.decode(y, unit_bar)
    assert decoded.tolist() == [1 << 3, (1 << 3) | (1 << 9), -1, 0]
    drawn = np.array([1 << 3, 1 << 3, 0, 0])
    assert bars.code_errors(y, drawn, unit_bar).tolist() == [False, True, True, False]


def test_decode_batches_over_runs():
    unit_bar = np.array([[0, 1], [1, 0]])
    y = np.array([[[1, 0]], [[1, 0]]], bool)
    assert bars.decode(y, unit_bar).tolist() == [[1], [2]]


def test_scoring_needs_64_inputs():
    with pytest.raises(ValueError, match="bars weights need 64 inputs per unit, not 10"):
        bars.unit_bars(np.zeros((2, 10)))
