"""The spatial pooler on scikit-learn's digits: a sparse code learned from the images, read out
by a linear classifier beside one on the raw pixels.

The data, its split, the draw of a training image and the readout are
:mod:`gaba.golden.digits`'s. The pooler (the initial state of seed 1, the hardware's) learns
``epochs`` x 1347 steps, step t on the training image its 32-bit word draws
(:func:`training_images`: the word the hardware's trial generators give step t of a run of
the seed); then, no longer learning, it codes every image in order. A logistic regression
learns the classes from the training images' codes and is scored on the held-out codes, and
likewise on the raw pixels. The same pooler without boosting is trained beside it, for the
duty cycles.

:func:`foldiak_digits` does the same with Földiák's anti-Hebbian layer (its fixed-point
model, ``gaba.golden.foldiak.fixed``, the digits as its pattern source,
:func:`gaba.golden.digits.prng_digits`): a unit's bit of the code is y* > 1/2 after settling.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass

import numpy as np

from gaba.golden import digits as data
from gaba.golden.argmax import ArgmaxConfig, scores
from gaba.golden.htm import reference as ref
from gaba.golden.htm.fixed import FixedSpatialPooler, SpatialPoolerConfig
from gaba.golden.primitives import MASK32
from gaba.golden.validate import check_count, check_int, check_seed

__all__ = [
    "DIGITS_PARAMS",
    "INIT_SEED",
    "DigitsOutcome",
    "codes",
    "foldiak_codes",
    "foldiak_config",
    "foldiak_digits",
    "run",
    "schedule",
    "schedule_run",
    "stability",
    "training_images",
]

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
#: The pooler's initial state: seed 1's, as the hardware's memories hold it.
INIT_SEED = 1


def training_images(steps: int, seed: int, *, first: int = 0) -> np.ndarray:
    """int64[steps]: the training image of steps ``first ..`` of a run of ``seed``: the first
    32-bit generator word of each step (``gaba.golden.argmax.scores``, two generators of 32
    bits) picks it (:func:`gaba.golden.digits.pick`)."""
    words = scores(ArgmaxConfig.paper(n=2, width=32), steps, seed, first=first)
    return data.pick(words[:, 0])


def schedule(learning: int, count: int, seed: int, *, first: int = 0):
    """(images int64[count], learn bool[count]): steps ``first ..`` of a hardware run of
    ``seed`` (``gaba.hdl.htm.DigitsPoolerEngine``): step t < ``learning`` learns on
    :func:`training_images`' image, a later one codes image min(t - learning, 1796)."""
    check_int("Learning steps", learning, 0, MASK32)
    check_count("Step count", count, 1)
    check_int("First step", first, 0, MASK32)
    t = (first + np.arange(count, dtype=np.int64)) & MASK32  # the hardware's 32-bit index
    learn = t < learning
    images = np.minimum(t - learning, data.IMAGES - 1)
    if learn.any() and t[-1] >= t[0]:  # the learning steps lead the run
        images[learn] = training_images(int(learn.sum()), seed, first=first)
    else:  # a run across 2**32: its index wraps, as the hardware's
        for j in np.flatnonzero(learn):
            images[j] = training_images(1, seed, first=int(t[j]))[0]
    return images, learn


def schedule_run(cfg: SpatialPoolerConfig, learning: int, count: int, seed: int, *, first=0):
    """(active bool[count, columns], images, learn): the fixed-point pooler (seed 1's initial
    state, as the hardware's after a reset) through :func:`schedule`."""
    images, learn = schedule(learning, count, seed, first=first)
    sp, bits = FixedSpatialPooler(cfg, INIT_SEED), data.load()[0]
    active = np.zeros((count, cfg.n), bool)
    for j in range(count):
        active[j, sp.compute(bits[images[j]], learn=bool(learn[j]))] = True
    return active, images, learn


def pooler(model: str, params: ref.SpatialPoolerParams):
    if model == "float":
        return ref.SpatialPooler(params, INIT_SEED)
    if model == "fixed":
        return FixedSpatialPooler(SpatialPoolerConfig(params=params), INIT_SEED)
    raise ValueError(f"Model must be float or fixed, not {model!r}")


def train(sp, steps: int, seed: int, progress=None):
    """Learn ``steps`` steps of the run of ``seed`` (:func:`training_images`), in chunks of
    1347 (an epoch's worth: ``progress(done, epochs)`` after each)."""
    bits = data.split()[0]
    images = training_images(steps, seed)
    for lo in range(0, steps, data.TRAIN):
        sp.run(bits[images[lo : lo + data.TRAIN]])
        if progress is not None:
            progress(min(lo + data.TRAIN, steps) // data.TRAIN, -(-steps // data.TRAIN))


def codes(sp) -> np.ndarray:
    """bool[1797, columns]: every image's code, in order, without learning."""
    return sp.run(data.load()[0], learn=False)


def stability(a, b) -> float:
    """The mean fraction of an image's active columns in ``a`` still active in ``b``."""
    return float(((a & b).sum(axis=1) / np.maximum(a.sum(axis=1), 1)).mean())


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
    code_stability: float | None
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


def run(
    model: str,
    epochs: int = 3,
    seed: int = 1,
    params=DIGITS_PARAMS,
    progress=None,
    hardware_codes=None,
):
    """Train the ``model`` (float or fixed) pooler of ``params`` on the digits and read it out
    (module docstring): a :class:`DigitsOutcome`. Its ``code_stability`` is the mean
    fraction of an image's active columns before the last epoch still active after it (None
    after one epoch). ``hardware_codes`` (bool[1797, columns]),
    when given, are read out instead of the model's (a hardware run's, which the model ran
    beside for its duty cycles and receptive fields)."""
    check_count("Epochs", epochs, 1)
    check_seed(seed)
    start = time.monotonic()
    steps = epochs * data.TRAIN
    sp = pooler(model, params)
    before = []  # every image's code before the last epoch

    def epoch(done, total):
        if done == total - 1:  # coded by a copy: coding advances a pooler's iteration count
            before.append(codes(copy.deepcopy(sp)))
        if progress is not None:
            progress(done, total)

    train(sp, steps, seed, epoch)
    all_codes = codes(sp) if hardware_codes is None else hardware_codes
    plain = pooler(model, params.replace(boost_strength=0.0))
    train(plain, steps, seed)
    r = data.score(all_codes)
    return DigitsOutcome(
        model=model,
        epochs=epochs,
        seed=seed,
        params=params,
        pixel_accuracy=r["pixel_accuracy"],
        code_accuracy=r["code_accuracy"],
        active_per_code=r["active_per_code"],
        within_class_overlap=r["within_class_overlap"],
        between_class_overlap=r["between_class_overlap"],
        columns_used=r["units_used"],
        code_stability=float(stability(before[0], codes(sp))) if before else None,
        duty=duty(sp),
        duty_unboosted=duty(plain),
        fields=sp.connected().reshape(params.columns, 8, 8),
        seconds=time.monotonic() - start,
    )


def foldiak_config(n: int = 64):
    """The Földiák layer the digits use: the paper's, ``n`` units."""
    from gaba.golden.foldiak.config import FoldiakConfig

    return FoldiakConfig.paper(n=n)


def foldiak_codes(cfg, epochs: int, seed: int, *, run: int = 0, progress=None) -> np.ndarray:
    """bool[1797, units]: the codes of every image (y* > 1/2, in order) after the layer of
    ``cfg`` learned its pre-run and ``epochs`` x 1347 presentations of run ``run`` of ``seed``
    with the digits as its pattern source (the numba kernel)."""
    from gaba.golden.foldiak import fixed as layer

    learned = layer.train(
        cfg,
        1,
        epochs * data.TRAIN,
        seed,
        first_run=run,
        source=data.prng_digits,
        progress=progress,
    )
    x = data.in_order(data.IMAGES)[0][None]
    return layer.respond(cfg, learned.q, learned.w, learned.t, x)[0] > cfg.half


def foldiak_digits(epochs: int = 3, seed: int = 1, n: int = 64, progress=None) -> dict:
    """Földiák's layer (fixed-point, ``n`` units, the paper's parameters otherwise) on the
    digits, trained as :func:`run` trains the pooler (its pre-run first): the readout of its
    codes (:func:`gaba.golden.digits.score`)."""
    check_count("Epochs", epochs, 1)
    check_seed(seed)
    start = time.monotonic()
    cfg = foldiak_config(n)
    r = data.score(foldiak_codes(cfg, epochs, seed, progress=progress))
    return {
        "model": "fixed",
        "units": n,
        "epochs": epochs,
        "seed": seed,
        **r,
        "seconds": time.monotonic() - start,
    }
