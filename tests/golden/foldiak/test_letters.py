import numpy as np
import pytest

from gaba.golden import primitives
from gaba.golden.foldiak import letters


def test_font_has_26_distinct_glyphs_in_place():
    g = letters.glyphs()
    assert g.shape == (26, 64) and g.dtype == np.uint8
    assert len({tuple(row) for row in g}) == 26
    grid = g.reshape(26, 8, 8)
    assert not grid[:, 7].any() and not grid[:, :, 0].any() and not grid[:, :, 6:].any()
    assert all(
        len(rows) == 7 and all(len(r) == 5 for r in rows) for rows in letters.GLYPHS.values()
    )


def test_a_glyph_by_hand():
    l_rows = ["#...."] * 6 + ["#####"]
    assert letters.GLYPHS["L"] == l_rows
    grid = letters.glyphs()[letters.ALPHABET.index("L")].reshape(8, 8)
    assert grid[:6, 1].all() and grid[6, 1:6].all() and grid.sum() == 11


def test_cumulative_table():
    c = letters.CUMULATIVE
    assert c[-1] == 65536 and np.all(np.diff(c) > 0) and c[0] > 0
    assert abs(c[4] - c[3] - 0.12702 * 65536) < 10  # E


def test_prng_letters_rule_by_hand():
    states = np.array([4242], np.int64)
    x, index = letters.prng_letters(states, 5)
    s = 4242
    for k in range(5):
        s = int(primitives.xorshift32(s))
        want = int(np.argmax((s >> 16) < letters.CUMULATIVE))
        assert index[0, k] == want
        assert np.array_equal(x[0, k], letters.glyphs()[want])
    assert states[0] == s


@pytest.mark.parametrize("kind", ["prng", "float"])
def test_letters_follow_english_frequencies(kind):
    count = 60000
    if kind == "prng":
        _, index = letters.prng_letters(np.array([1, 2, 3], np.int64), count // 3)
    else:
        _, index = letters.float_letters(np.random.default_rng(2), count)
    freq = np.bincount(index.reshape(-1), minlength=26) / count
    p = letters.FREQUENCIES / letters.FREQUENCIES.sum()
    assert np.all(np.abs(freq - p) < 4.5 * np.sqrt(p * (1 - p) / count) + 1e-4)
    assert freq[letters.ALPHABET.index("E")] > 0.12 and freq[letters.ALPHABET.index("Z")] < 0.002


def test_codes_summary_by_hand():
    y = np.zeros((2, 26, 4), bool)
    for k in range(26):  # run 0: distinct non-empty codes (binary k + 1 on 4 units, mod 16)
        y[0, k] = [(k + 1) >> b & 1 for b in range(4)]
    y[0, 15:] = y[0, :11]  # 4 units cannot code 26 letters: codes repeat
    y[1, 0] = [1, 1, 0, 0]  # run 1: A has two units, everything else silent
    s = letters.codes_summary(y)
    assert s["distinct_codes"] == [15, 2] and s["empty_codes"] == [0, 25]
    assert s["runs_all_distinct"] == 0 and s["mean_active_units"]["A"] == 1.5
    assert s["runs"] == 2


def test_codes_summary_all_distinct():
    y = np.zeros((1, 26, 26), bool)
    y[0, np.arange(26), np.arange(26)] = True
    s = letters.codes_summary(y)
    assert s["runs_all_distinct"] == 1 and s["active_frequent5"] == s["active_rare5"] == 1.0


def test_prng_letters_validate_states():
    with pytest.raises(ValueError, match="one-dimensional int64 array"):
        letters.prng_letters(np.array([[1]], np.int64), 2)
