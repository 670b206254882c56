"""scikit-learn's digits, the product's real data set: the images as the hardware holds them,
the split, the rule by which the hardware draws a training image, and the linear readout of
a code.

- The images: ``sklearn.datasets.load_digits`` (1797 images of 8 x 8 pixels, 16 grey levels,
  10 classes; it ships inside scikit-learn, no download), each pixel set when its level is at
  least 8: 64 input bits, pixel (r, c) is bit r*8 + c. The hardware holds them in this order
  in a block-RAM ROM (:func:`rom_words`).
- The split: the first :data:`TRAIN` (1347) images train, the last 450 are held out
  (scikit-learn's order, not shuffled: a fixed split the ROM holds as it is).
- A training draw: a uniform 32-bit word w picks image ``(w * TRAIN) >> 32`` (:func:`pick`:
  one product by a constant and the top bits, no division; each image has 2**32 / 1347
  words, to within one). Where the words come from is the learner's: the spatial pooler's
  trial generators, the Földiák layer's training stream (:func:`prng_digits`).
- Coding: every image in order, no learning; image ``min(j, 1796)`` at coding step j
  (:func:`in_order`).
- The readout: a logistic regression (``sklearn.linear_model``) learns the classes from the
  training images' codes and is scored on the held-out codes (:func:`readout`); the code
  overlap within and between classes (:func:`class_overlap`).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from gaba.golden import kernels, primitives
from gaba.golden.validate import check_count, check_int, check_states

__all__ = [
    "IMAGES",
    "TRAIN",
    "class_overlap",
    "in_order",
    "load",
    "pick",
    "prng_digits",
    "readout",
    "rom_words",
    "score",
    "split",
]

#: Images in the data set, and the training images among them (the first).
IMAGES = 1797
TRAIN = 1347


@cache
def _load() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    bits, labels = data.data >= 8, data.target.astype(np.int64)
    bits.setflags(write=False)
    labels.setflags(write=False)
    return bits, labels


def load() -> tuple[np.ndarray, np.ndarray]:
    """(bits bool[1797, 64], labels int64[1797]), read-only: a pixel set at level >= 8."""
    return _load()


def split():
    """(train bits, train labels, test bits, test labels): the first 1347 images and the rest."""
    bits, labels = load()
    return bits[:TRAIN], labels[:TRAIN], bits[TRAIN:], labels[TRAIN:]


def rom_words() -> list[int]:
    """The images as the hardware's ROM holds them: one 64-bit word each, pixel i in bit i."""
    weights = 1 << np.arange(64, dtype=np.uint64)
    return [int(w) for w in (load()[0].astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)]


def pick(words, count: int = TRAIN) -> np.ndarray:
    """int64: the image each 32-bit word draws among the first ``count``: (w * count) >> 32."""
    words = np.asarray(words)
    if words.dtype.kind not in "iu" or (words.size and (words.min() < 0 or words.max() >> 32)):
        raise ValueError("pick takes 32-bit words (integers in 0..2**32-1)")
    count = check_int("Image count", count, 1, IMAGES)
    return primitives.uniform_index(words.astype(np.int64), count)


def prng_digits(states: np.ndarray, count: int):
    """A pattern source of ``gaba.golden.foldiak.fixed`` (two xorshift32 steps per pattern,
    as the bars'): the second word picks a training image. Returns (uint8[R, count, 64]
    images, int64[R, count] their indices)."""
    check_states(states)
    words = np.empty((states.shape[0], count, 2), np.int64)
    kernels.xorshift32_words(states, words.reshape(states.shape[0], 2 * count))
    index = pick(words[..., 1])
    return load()[0][index].astype(np.uint8), index


def in_order(count: int):
    """(uint8[count, 64] images, int64[count] indices): coding step j's image, min(j, 1796)."""
    index = np.minimum(np.arange(check_count("Image count", count, 0)), IMAGES - 1)
    return load()[0][index].astype(np.uint8), index


def readout(train_x, train_y, test_x, test_y) -> float:
    """Held-out accuracy of a logistic regression learned on ``train_x``."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=5000)
    return float(clf.fit(train_x, train_y).score(test_x, test_y))


def class_overlap(codes, labels) -> tuple[float, float]:
    """Mean shared active units of two codes (as a fraction of the first's active ones) within
    a class and between classes."""
    c = np.asarray(codes, np.float64)
    shared = c @ c.T / np.maximum(c.sum(axis=1), 1)[:, None]
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    other = labels[:, None] != labels[None, :]
    return float(shared[same].mean()), float(shared[other].mean())


def score(codes) -> dict:
    """What a code of every image (bool[1797, units], in order) is worth: the readout accuracy
    on the codes and on the raw pixels, the active units per held-out code, the code overlap
    within and between classes (held out), the units active for some training image."""
    codes = np.asarray(codes, bool)
    if codes.ndim != 2 or codes.shape[0] != IMAGES:
        raise ValueError(f"codes must be bool[{IMAGES}, units], not of shape {codes.shape}")
    train_x, train_y, test_x, test_y = split()
    within, between = class_overlap(codes[TRAIN:], test_y)
    return {
        "pixel_accuracy": readout(train_x, train_y, test_x, test_y),
        "code_accuracy": readout(codes[:TRAIN], train_y, codes[TRAIN:], test_y),
        "active_per_code": float(codes[TRAIN:].sum(axis=1).mean()),
        "within_class_overlap": within,
        "between_class_overlap": between,
        "units_used": int(codes[:TRAIN].any(axis=0).sum()),
    }
