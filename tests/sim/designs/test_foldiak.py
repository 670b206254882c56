"""The Földiák layer under cocotb on Verilator and Icarus, held to the golden model."""

import dataclasses

import numpy as np
import pytest

from gaba.golden import digits
from gaba.golden.foldiak import bars, sources
from gaba.golden.foldiak import fixed as foldiak
from gaba.golden.foldiak.config import FoldiakConfig
from gaba.hdl.foldiak import cycles_per_presentation
from gaba.sim.designs.foldiak import FOLDIAK, FOLDIAK_DIGITS

compare = FOLDIAK.compare

SMALL = FoldiakConfig.paper(pre_presentations=3, settle_steps=8)
# Icarus is slow: a short pre-run, but enough settling steps for units to fire and learn
# (with 4 steps y* stays below 1/2 whatever the input)
TINY = FoldiakConfig.paper(pre_presentations=2, settle_steps=8)
PAPER = FoldiakConfig.paper()


def _one_lsb_of_beta(cfg):
    out = cfg.replace(beta=(cfg.beta_c + 1) / 2**cfg.coef_bits)
    assert out.beta_c == cfg.beta_c + 1
    return out


def test_lockstep_on_verilator_is_bit_exact():
    r = compare(SMALL, "verilator", "lockstep", presentations=8, tests=5, seed=3, run=2)
    assert r.bit_exact, r.first_mismatch.describe()
    # init state + 8 states after presentations (q 64x16, w 16x16, t 16, 2 flags) + results
    assert r.unit == "values" and r.compared > 9 * (64 * 16 + 16 * 16 + 16)
    assert r.outputs["final"]["w"].min() < 0  # learning took place


# Icarus steps every clock of five whole read-backs: about a second
def test_lockstep_on_icarus_is_bit_exact():
    r = compare(TINY, "icarus", "lockstep", presentations=5, tests=2, seed=9, run=0)
    assert r.bit_exact, r.first_mismatch.describe()
    assert (r.outputs["final"]["q"] != foldiak.initial_state(TINY, 9, 0).q).any()  # it learned


def test_a_run_on_icarus_is_bit_exact():
    # run mode (final state, every result, test patterns) on the event-driven simulator
    r = compare(TINY, "icarus", "run", presentations=8, tests=3, seed=9, run=1)
    assert r.bit_exact, r.first_mismatch.describe()
    start = foldiak.initial_state(TINY, 9, 1)
    assert (r.outputs["final"]["t"] != 0).all() and (
        r.outputs["final"]["q"] != start.q
    ).any()  # it learned


@pytest.mark.slow  # a build of its own; the default run holds run mode on the SMALL layer
# (snapshots below, test_pool's bars) and the paper's constants on the board (n = 4)
def test_a_training_run_on_verilator_is_bit_exact():
    # the paper's layer: pre-run, 200 presentations, 100 test patterns, held to the kernel
    r = compare(PAPER, "verilator", "run", presentations=300, tests=100, seed=4, run=7)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.summary["train_cycles"] > 300 * 1284


def test_lockstep_catches_a_perturbed_golden_model():
    # the SMALL hardware (built above) against a golden model with beta one LSB higher
    r = compare(
        _one_lsb_of_beta(SMALL),
        "verilator",
        "lockstep",
        presentations=8,
        seed=3,
        run=2,
        hw_config=SMALL,
    )
    m = r.first_mismatch
    assert not r.bit_exact and m["phase"] == "train" and m.signal == "q"
    assert m["presentation"] >= SMALL.pre_presentations and m["cycle"] > 0
    assert abs(m.golden - m.hardware) == 1
    assert m.describe().startswith(
        f"train presentation {m['presentation']}, cycle {m['cycle']}: q["
    )


# run mode with learning-curve snapshots on the SMALL layer built above: the pre-run (3), then
# a snapshot every 10 presentations (the paper's layer, 100 and 100, in the slow tier above)
EVERY = 10
SNAPSHOTS = SMALL.pre_presentations + 3 * EVERY


def test_a_run_with_snapshots_is_checked_at_each():
    r = compare(
        SMALL, "verilator", "run", presentations=SNAPSHOTS, tests=20, seed=4, run=7,
        snapshot_every=EVERY,
    )  # fmt: skip
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.outputs["snapshots"]["at"].tolist() == [0, EVERY, 2 * EVERY, 3 * EVERY]
    assert r.outputs["snapshots"]["q"].shape == (4, 16, 64)
    # the snapshots are states the hardware read back, not copies of the final one
    assert not (r.outputs["snapshots"]["q"][0] == r.outputs["snapshots"]["q"][-1]).all()


def test_a_run_catches_a_perturbed_golden_model_at_its_first_snapshot():
    r = compare(
        _one_lsb_of_beta(SMALL),
        "verilator",
        "run",
        presentations=SNAPSHOTS,
        seed=4,
        run=7,
        hw_config=SMALL,
        snapshot_every=EVERY,
    )
    m = r.first_mismatch
    assert not r.bit_exact and r.mismatches > 0
    # beta acts on q once learning starts after the pre-run; the earliest value that shows it
    # is the first presentation whose y* differs between the two models (before the first
    # snapshot after the pre-run, the state after presentation pre + EVERY - 1)
    pre = SMALL.pre_presentations
    good = FOLDIAK.golden(SMALL, SNAPSHOTS, 4, first=7).ystar[0]
    bad = FOLDIAK.golden(_one_lsb_of_beta(SMALL), SNAPSHOTS, 4, first=7).ystar[0]
    k = int(np.argmax((good != bad).any(axis=1)))
    assert pre <= k < pre + EVERY - 1
    assert (m["phase"], m["presentation"], m.signal) == ("train", k, "ystar")
    assert m["cycle"] > k * cycles_per_presentation(SMALL)  # when the hardware gave that y*


def test_compare_validation():
    with pytest.raises(ValueError, match="Mode must be one of run, lockstep"):
        compare(SMALL, mode="trials")
    with pytest.raises(ValueError, match="ends inside the 3-presentation threshold pre-run"):
        compare(SMALL, mode="run", presentations=2)


@pytest.mark.slow
def test_a_full_bars_run_on_verilator_is_bit_exact():
    # the acceptance run: pre-run + 3000 presentations, then 1000 fresh test patterns
    total = PAPER.pre_presentations + 3000
    r = compare(PAPER, "verilator", "run", presentations=total, tests=1000, seed=1)
    assert r.bit_exact, r.first_mismatch.describe()
    assert bars.bars_represented(r.outputs["final"]["q"]) == 16


def test_the_digits_learned_from_the_rom_are_bit_exact_in_lockstep():
    r = FOLDIAK_DIGITS.compare(SMALL, "verilator", "lockstep", presentations=8, tests=5, seed=3)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.outputs["test_labels"].tolist() == [0, 1, 2, 3, 4]  # the images in order
    assert r.outputs["final"]["w"].min() < 0  # it learned


@pytest.mark.slow  # the default run holds the digits' lockstep; 1797 images coded: 20 s
def test_a_digits_run_codes_every_image_bit_exact():
    # run mode: the pre-run and 60 presentations, then all 1797 images coded
    r = FOLDIAK_DIGITS.compare(SMALL, "verilator", "run", presentations=63, tests=1797, seed=5)
    assert r.bit_exact, r.first_mismatch.describe()
    assert r.outputs["test_labels"].tolist() == list(range(1797))
    assert r.outputs["test_ystar"].shape == (1797, 16)


@pytest.mark.slow  # Icarus runs the layer's clocks one by one: about 4 s
def test_the_digits_on_icarus_are_bit_exact():
    r = FOLDIAK_DIGITS.compare(TINY, "icarus", "run", presentations=6, tests=3, seed=9)
    assert r.bit_exact, r.first_mismatch.describe()


def test_a_perturbed_digits_draw_is_caught(monkeypatch):
    # companion: the SMALL digits hardware (built above) against a golden source that draws
    # the next image
    draw = sources.SOURCES["digits"]

    def next_image(states, count):
        x, index = draw.train(states, count)
        index = (index + 1) % digits.TRAIN
        return digits.load()[0][index].astype(np.uint8), index

    monkeypatch.setitem(sources.SOURCES, "digits", dataclasses.replace(draw, train=next_image))
    r = FOLDIAK_DIGITS.compare(SMALL, "verilator", "lockstep", presentations=8, seed=3)
    m = r.first_mismatch
    assert not r.bit_exact and (m["phase"], m["presentation"], m.signal) == ("train", 0, "label")


def test_perturbed_pixels_of_the_right_image_are_caught(monkeypatch):
    # companion on the data: the golden source gives the drawn image's index with the next
    # image's pixels (the hardware reads the true ones from its ROM): y* or q must differ
    draw = sources.SOURCES["digits"]

    def other_pixels(states, count):
        x, index = draw.train(states, count)
        return digits.load()[0][(index + 1) % digits.TRAIN].astype(np.uint8), index

    monkeypatch.setitem(sources.SOURCES, "digits", dataclasses.replace(draw, train=other_pixels))
    r = FOLDIAK_DIGITS.compare(SMALL, "verilator", "lockstep", presentations=8, seed=3)
    assert not r.bit_exact and r.first_mismatch.signal in ("ystar", "q", "t")
