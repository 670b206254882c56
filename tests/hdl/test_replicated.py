# amaranth: UnusedElaboratable=no
"""gaba.hdl.engine.ReplicatedEngine: R trial engines sharing a run give the golden model's
trials in trial order, and take about 1/R of one engine's cycles."""

import pytest

from gaba.golden.config import Config
from gaba.hdl.engine import ReplicatedEngine, TrialEngine
from tests.hdl.test_engine import FAST, assert_matches, decode, golden


def run(trial_engine, dut, *, seed, first, count, ready=lambda cycle: True, stats=None):
    """The decoded results of a run on ``dut``, in output order."""
    got = trial_engine(
        dut,
        count,
        inputs={"seed": seed, "first": first},
        max_cycles=40000,
        ready=ready,
        stats=stats,
    )
    return [decode(dut.config, p.as_value().value) for p in got]


@pytest.mark.parametrize(
    ("replicas", "seeding", "first", "count", "stall"),
    [
        (2, "serial", 0, 5, False),
        (4, "serial", 2**32 - 3, 7, True),  # trial indices wrap; the output stalls at times
        (4, "parallel", 11, 6, False),
        (4, "serial", 3, 2, False),  # fewer trials than replicas
    ],
)
def test_replicas_give_golden_trials_in_order(trial_engine, replicas, seeding, first, count, stall):
    cfg = Config.paper(n=3, **FAST)
    dut = ReplicatedEngine(cfg, replicas, seeding=seeding, fifo_depth=2)
    ready = (lambda c: c % 7 < 3) if stall else (lambda c: True)
    got = run(trial_engine, dut, seed=5, first=first, count=count, ready=ready)
    assert_matches(got, golden(cfg, count, 5, first))


def test_perturbed_replica_or_golden_is_caught(trial_engine):
    cfg = Config.paper(n=3, **FAST)

    class OffShare(ReplicatedEngine):
        def engine(self, r):  # replica 1 strides past its share
            return TrialEngine(cfg, seeding="serial", stride=3 if r == 1 else 2)

    bad = run(trial_engine, OffShare(cfg, 2), seed=5, first=0, count=4)
    with pytest.raises(AssertionError):
        assert_matches(bad, golden(cfg, 4, 5, 0))
    good = run(trial_engine, ReplicatedEngine(cfg, 2), seed=5, first=0, count=4)
    assert_matches(good, golden(cfg, 4, 5, 0))
    with pytest.raises(AssertionError):
        assert_matches(good, golden(cfg, 4, 6, 0))  # the golden model's seed off


def test_replicas_share_the_cycles(trial_engine):
    cfg = Config.paper(n=3, **FAST)
    one, four = {}, {}
    got1 = run(trial_engine, ReplicatedEngine(cfg, 1), seed=9, first=0, count=8, stats=one)
    got4 = run(trial_engine, ReplicatedEngine(cfg, 4), seed=9, first=0, count=8, stats=four)
    assert got1 == got4
    # four engines: the run takes well under half the cycles of one
    assert four["cycles"] < one["cycles"] / 2


@pytest.mark.parametrize("replicas", [0, 3, 128, True])
def test_replicas_must_be_a_power_of_two(replicas):
    with pytest.raises(ValueError, match="Replicas must be a power of two in 1..64"):
        ReplicatedEngine(Config.paper(n=2), replicas)


def test_fifo_depth_is_checked():
    with pytest.raises(ValueError, match="FIFO depth must be an integer in 1..64"):
        ReplicatedEngine(Config.paper(n=2), 2, fifo_depth=0)
