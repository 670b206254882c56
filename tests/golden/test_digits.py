"""scikit-learn's digits as the hardware holds and draws them (gaba.golden.digits)."""

import numpy as np
import pytest

from gaba.golden import digits, primitives


def test_the_images_the_split_and_the_rom():
    bits, labels = digits.load()
    assert (
        bits.shape == (1797, 64) and bits.dtype == bool and set(labels.tolist()) == set(range(10))
    )
    assert not bits.flags.writeable  # one copy, shared: nobody edits the data set
    train_x, train_y, test_x, test_y = digits.split()
    assert len(train_x) == digits.TRAIN == 1347 and len(test_x) == 450
    assert np.array_equal(np.concatenate([train_y, test_y]), labels)
    words = digits.rom_words()
    assert len(words) == 1797 and max(words) < 1 << 64
    for j in (0, 5, 1796):  # bit i of image j's word is pixel i
        assert [(words[j] >> i) & 1 for i in range(64)] == bits[j].astype(int).tolist()


def test_a_word_picks_a_training_image_uniformly():
    top = (1 << 32) - 1
    assert digits.pick([0, top]).tolist() == [0, 1346]
    # the first word of each image: ceil(j * 2**32 / 1347); the word before it picks j - 1
    j = np.arange(1, 1347)
    first = -(-(j << 32) // 1347)
    assert np.array_equal(digits.pick(first), j) and np.array_equal(digits.pick(first - 1), j - 1)
    sizes = np.diff([0, *first, 1 << 32])  # the words of each image: 2**32 / 1347, to within one
    assert sizes.min() >= (1 << 32) // 1347 and sizes.max() <= (1 << 32) // 1347 + 1
    assert digits.pick([top], 1797).tolist() == [1796]
    with pytest.raises(ValueError, match="pick takes 32-bit words"):
        digits.pick([1 << 32])
    with pytest.raises(ValueError, match="pick takes 32-bit words"):
        digits.pick([-1])
    with pytest.raises(ValueError, match="pick takes 32-bit words"):
        digits.pick([1.5])
    with pytest.raises(ValueError, match=r"Image count must be an integer in 1\.\.1797"):
        digits.pick([0], 1798)


def test_the_foldiak_source_draws_with_two_stream_steps():
    states = np.array([7, 0x12345678], np.int64)
    start = states.copy()
    x, index = digits.prng_digits(states, 3)
    assert x.shape == (2, 3, 64) and x.dtype == np.uint8 and index.shape == (2, 3)
    for r in range(2):
        s = int(start[r])
        for k in range(3):
            s = int(primitives.xorshift32(np.int64(s)))
            s = int(primitives.xorshift32(np.int64(s)))  # the second word picks
            assert index[r, k] == digits.pick([s])[0] < 1347
            assert np.array_equal(x[r, k], digits.load()[0][index[r, k]])
        assert states[r] == s  # advanced past the last word


def test_coding_goes_through_every_image_in_order():
    x, index = digits.in_order(1800)
    assert index[:1797].tolist() == list(range(1797)) and index[1797:].tolist() == [1796] * 3
    assert np.array_equal(x[:1797], digits.load()[0].astype(np.uint8))
    assert digits.in_order(0)[0].shape == (0, 64)


def test_the_score_of_a_code():
    bits = digits.load()[0]
    s = digits.score(bits)  # the pixels as a code: its readout is the pixels'
    assert s["code_accuracy"] == s["pixel_accuracy"] > 0.8
    assert s["within_class_overlap"] > s["between_class_overlap"]
    assert s["active_per_code"] == bits[1347:].sum(axis=1).mean() and s["units_used"] <= 64
    with pytest.raises(ValueError, match=r"codes must be bool\[1797, units\]"):
        digits.score(bits[:100])
