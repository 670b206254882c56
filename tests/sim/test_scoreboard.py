"""The scoreboard's parts: layout decoding, the tally, mismatch reports, the report's JSON."""

import numpy as np
import pytest
from amaranth.hdl import signed
from amaranth.lib import data

from gaba.sim.scoreboard import Mismatch, Report, Tally, decode

LAYOUT = data.StructLayout(
    {
        "a": 4,
        "b": signed(3),
        "lanes": data.ArrayLayout(data.StructLayout({"x": 2, "y": signed(2)}), 2),
    }
)


def test_decode_follows_the_layout_with_signs_and_arrays():
    word = 0b1101_0011_110_1011  # lanes[1] = (1, -1), lanes[0] = (3, 0), b = -2, a = 11
    assert decode(LAYOUT, word) == {
        "a": 11,
        "b": -2,
        "lanes": [{"x": 3, "y": 0}, {"x": 1, "y": -1}],
    }
    with pytest.raises(ValueError):  # a word wider than the layout is refused
        decode(LAYOUT, 1 << LAYOUT.size)


def test_tally_counts_values_and_keeps_the_first_mismatch():
    t = Tally()
    assert t.value("top", 3, 3, trial=0)
    assert not t.value("steps", 10, 11, trial=1, cycle=20)
    assert not t.value("digest", 1, 2, trial=2)
    assert (t.compared, t.mismatches) == (3, 2)
    assert t.first == Mismatch("steps", 10, 11, {"trial": 1, "cycle": 20})
    assert t.first.describe() == "trial 1, cycle 20: steps golden 10 hardware 11"


def test_the_first_mismatch_is_the_earliest_by_clock_cycle_when_cycles_are_known():
    t = Tally()
    t.value("ystar", 1, 2, presentation=5, cycle=900)
    t.value("q", 1, 2, presentation=4, cycle=700)  # compared later, happened earlier
    t.value("t", 1, 2, presentation=3)  # no cycle: cannot be placed in time
    t.value("w", 1, 2, presentation=6, cycle=1000)
    assert (t.first.signal, t.mismatches) == ("q", 4)
    t = Tally()
    t.value("a", 1, 2, trial=1)
    t.value("b", 1, 2, trial=0, cycle=5)
    assert t.first.signal == "a"  # without the first's cycle, the first compared stays


def test_tally_of_arrays_names_the_element():
    t = Tally()
    g = np.arange(12).reshape(3, 4)
    h = g.copy()
    h[1, 2] += 5
    h[2, 0] -= 1
    assert not t.array("q", g, h, phase="train", presentation=7, cycle=900)
    assert (t.compared, t.mismatches) == (12, 2)
    assert t.first.index == (1, 2) and (t.first.golden, t.first.hardware) == (6, 11)
    assert t.first.describe() == "train presentation 7, cycle 900: q[1, 2] golden 6 hardware 11"
    # named axes go into the location instead (the neuron of a per-neuron signal)
    t = Tally()
    t.array("x", [1, 2, 3], [1, 2, 4], axes=("neuron",), trial=3, step=5)
    assert t.first.to_json() == {
        "trial": 3,
        "step": 5,
        "neuron": 2,
        "signal": "x",
        "index": [],
        "golden": 3,
        "hardware": 4,
    }
    # a hardware array of the wrong size is one mismatch, not a crash
    t = Tally()
    assert not t.array("ystar", [1, 2, 3], [1, 2])
    assert (t.first.signal, t.first.golden, t.first.hardware) == ("ystar.size", 3, 2)


def test_report_json_names_its_count_by_unit():
    t = Tally()
    t.value("x", 1, 1)
    r = Report.of(t, "nwta", "verilator", "trials", 1, "trials", seconds=2.0, cycles=10)
    j = r.to_json()
    assert j["bit_exact"] and j["trials_compared"] == 1 and j["first_mismatch"] is None
    assert j["sim_cycles"] == 10 and j["cycles_per_second"] == 5.0
    t.value("x", 1, 2, trial=4)
    r = Report.of(t, "nwta", "verilator", "lockstep", 7, "cycles", summary={"n": 3})
    j = r.to_json()
    assert not r.bit_exact and j["cycles_compared"] == 7 and j["n"] == 3
    assert j["first_mismatch"]["trial"] == 4 and j["mismatches"] == 1
