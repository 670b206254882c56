"""The spatial pooler on scikit-learn's digits: a sparse code learned from the images, read out
by a linear classifier beside one on the raw pixels.

The data: ``sklearn.datasets.load_digits`` (1797 images of 8 x 8 pixels, 16 grey levels, 10
classes; it ships inside scikit-learn), each pixel set when its level is at least 8 (64 input
bits). A fixed split from the seed: 1347 training images, 450 held out. The pooler learns on
the training images for ``epochs`` passes, each in an order drawn from the seed; then, no
longer learning, it codes every image. A logistic regression (``sklearn.linear_model``) learns
the classes from the training codes and is scored on the held-out codes, and likewise on the
raw pixels. The same pooler without boosting is trained beside it, for the duty cycles.

:func:`foldiak_digits` does the same with Földiák's anti-Hebbian layer (its fixed-point
model, ``gaba.golden.foldiak.fixed``): a unit's bit of the code is y* > 1/2 after settling.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from gaba.golden.htm import reference as ref
from gaba.golden.htm.fixed import FixedSpatialPooler, SpatialPoolerConfig
from gaba.golden.validate import check_count, check_seed

__all__ = ["DIGITS_PARAMS", "DigitsOutcome", "digits", "foldiak_digits", "load", "run"]

#: The pooler the digits run uses: 1024 columns over the 64 pixels, each column's pool half
#: of them, 51 active (density 0.05), boosting 3.
DIGITS_PARAMS = ref.SpatialPoolerParams(
    inputs=64,
    columns=1024,
    potential_radius=64,
    potential_pct=0.5,
    local_area_density=0.05,
    boost_strength=3.0,
    duty_cycle_period=500,
)
TRAIN = 1347


def load():
    """(bits bool[1797, 64], labels int64[1797]): the digits, a pixel set at level >= 8."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data >= 8, data.target.astype(np.int64)


def digits(seed: int):
    """(train bits, train labels, test bits, test labels): the split of ``seed``."""
    bits, labels = load()
    order = np.random.default_rng(seed).permutation(len(labels))
    train, test = order[:TRAIN], order[TRAIN:]
    return bits[train], labels[train], bits[test], labels[test]


def pooler(model: str, params: ref.SpatialPoolerParams, seed: int):
    if model == "float":
        return ref.SpatialPooler(params, seed)
    if model == "fixed":
        return FixedSpatialPooler(SpatialPoolerConfig(params=params), seed)
    raise ValueError(f"Model must be float or fixed, not {model!r}")


def train(sp, bits, epochs: int, seed: int, progress=None):
    """Learn ``epochs`` passes over ``bits``, each in an order drawn from ``seed``."""
    rng = np.random.default_rng(seed + 1)
    for e in range(epochs):
        sp.run(bits[rng.permutation(len(bits))])
        if progress is not None:
            progress(e + 1, epochs)


def readout(train_x, train_y, test_x, test_y) -> float:
    """Held-out accuracy of a logistic regression learned on ``train_x``."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=5000)
    return float(clf.fit(train_x, train_y).score(test_x, test_y))


def class_overlap(codes, labels) -> tuple[float, float]:
    """Mean shared active columns of two codes (as a fraction of the active ones) within a
    class and between classes."""
    c = codes.astype(np.float64)
    shared = c @ c.T / np.maximum(c.sum(axis=1), 1)[:, None]
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    other = labels[:, None] != labels[None, :]
    return float(shared[same].mean()), float(shared[other].mean())


def duty(sp) -> np.ndarray:
    """The active duty cycles as fractions."""
    scale = 1 << sp.cfg.duty_bits if isinstance(sp, FixedSpatialPooler) else 1
    return sp.active_duty / scale


@dataclass
class DigitsOutcome:
    """What :func:`run` measured (``summary`` for JSON; ``fields`` and ``duty`` for the
    plots: each column's connected pixels, the duty cycles with and without boosting)."""

    model: str
    epochs: int
    seed: int
    params: ref.SpatialPoolerParams
    pixel_accuracy: float
    code_accuracy: float
    active_per_code: float
    within_class_overlap: float
    between_class_overlap: float
    columns_used: int
    duty: np.ndarray
    duty_unboosted: np.ndarray
    fields: np.ndarray
    seconds: float

    def summary(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k not in ("duty", "duty_unboosted", "fields")}
        d["params"] = asdict(self.params)
        for name, values in (("boosted", self.duty), ("unboosted", self.duty_unboosted)):
            d[f"duty_{name}"] = {
                "min": float(values.min()),
                "max": float(values.max()),
                "never_active": int((values == 0).sum()),
            }
        return d


def run(model: str, epochs: int = 3, seed: int = 1, params=DIGITS_PARAMS, progress=None):
    """Train the ``model`` (float or fixed) pooler of ``params`` on the digits and read it out
    (module docstring): a :class:`DigitsOutcome`."""
    check_count("Epochs", epochs, 1)
    check_seed(seed)
    start = time.monotonic()
    train_x, train_y, test_x, test_y = digits(seed)
    sp = pooler(model, params, seed)
    train(sp, train_x, epochs, seed, progress)
    codes_train, codes_test = sp.run(train_x, learn=False), sp.run(test_x, learn=False)
    plain = pooler(model, params.replace(boost_strength=0.0), seed)
    train(plain, train_x, epochs, seed)
    within, between = class_overlap(codes_test, test_y)
    return DigitsOutcome(
        model=model,
        epochs=epochs,
        seed=seed,
        params=params,
        pixel_accuracy=readout(train_x, train_y, test_x, test_y),
        code_accuracy=readout(codes_train, train_y, codes_test, test_y),
        active_per_code=float(codes_test.sum(axis=1).mean()),
        within_class_overlap=within,
        between_class_overlap=between,
        columns_used=int(codes_train.any(axis=0).sum()),
        duty=duty(sp),
        duty_unboosted=duty(plain),
        fields=sp.connected().reshape(params.columns, 8, 8),
        seconds=time.monotonic() - start,
    )


def foldiak_digits(epochs: int = 3, seed: int = 1, n: int = 64, progress=None) -> dict:
    """Földiák's layer (fixed-point, ``n`` units, the paper's parameters otherwise) on the
    digits as :func:`run` trains the pooler: the readout accuracy of its codes and of the raw
    pixels, the active units per code, the shared active units within and between classes."""
    from gaba.golden.foldiak import fixed as layer
    from gaba.golden.foldiak.config import FoldiakConfig

    check_count("Epochs", epochs, 1)
    check_seed(seed)
    start = time.monotonic()
    cfg = FoldiakConfig.paper(n=n)
    train_x, train_y, test_x, test_y = digits(seed)
    state = layer.initial_state(cfg, seed)
    rng = np.random.default_rng(seed + 1)
    for e in range(epochs):
        for x in train_x[rng.permutation(len(train_x))]:
            layer.present(cfg, state, x)
        if progress is not None:
            progress(e + 1, epochs)

    def code(images):
        return np.array(
            [layer.settle(cfg, state.q, state.w, state.t, x) > cfg.half for x in images]
        )

    codes_train, codes_test = code(train_x), code(test_x)
    within, between = class_overlap(codes_test, test_y)
    return {
        "model": "fixed",
        "units": n,
        "epochs": epochs,
        "seed": seed,
        "pixel_accuracy": readout(train_x, train_y, test_x, test_y),
        "code_accuracy": readout(codes_train, train_y, codes_test, test_y),
        "active_per_code": float(codes_test.sum(axis=1).mean()),
        "within_class_overlap": within,
        "between_class_overlap": between,
        "units_used": int(codes_train.any(axis=0).sum()),
        "seconds": time.monotonic() - start,
    }
