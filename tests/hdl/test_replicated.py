# amaranth: UnusedElaboratable=no
"""gaba.hdl.engine.ReplicatedEngine: R trial engines sharing a run give the golden model's
trials in trial order, and take about 1/R of one engine's cycles."""

import pytest
from amaranth.hdl import Cat

from gaba.golden.config import Config
from gaba.hdl.engine import ReplicatedEngine, TrialEngine
from tests.hdl.test_engine import FAST, assert_matches, decode, golden
from tests.simulate import simulate


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
    # four trials: one engine runs them one after another, four engines side by side
    got1 = run(trial_engine, ReplicatedEngine(cfg, 1), seed=9, first=0, count=4, stats=one)
    got4 = run(trial_engine, ReplicatedEngine(cfg, 4), seed=9, first=0, count=4, stats=four)
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


def _busy_trace(dut, count, *, second_start_at=None):
    """Start a run of ``count`` trials, taking every result; a second start strobe (another
    seed) at cycle ``second_start_at``. Returns (busy by cycle from the start, the cycles
    results were taken, their payloads)."""
    busy, taken, payloads = [], [], []

    async def bench(ctx):
        ctx.set(dut.seed, 5)
        ctx.set(dut.count, count)
        ctx.set(dut.start, 1)
        await ctx.tick()
        ctx.set(dut.start, 0)
        ctx.set(dut.res.ready, 1)
        for cycle in range(40000):
            ctx.set(dut.start, cycle == second_start_at)
            ctx.set(dut.seed, 6 if cycle == second_start_at else 5)
            busy.append(ctx.get(dut.busy))
            if ctx.get(dut.res.valid):
                taken.append(cycle)
                payloads.append(ctx.get(dut.res.payload).as_value().value)
            await ctx.tick()
            if len(taken) == count and len(busy) > (taken[-1] if taken else 0) + 40:
                break

    simulate(dut, bench)
    return busy, taken, payloads


def test_busy_covers_the_run_and_a_start_in_it_is_ignored():
    cfg = Config.paper(n=3, **FAST)
    busy, taken, got = _busy_trace(ReplicatedEngine(cfg, 4), 6, second_start_at=50)
    # busy from the clock after the start until the clock after the last result is taken
    assert len(taken) == 6 and _busy_covers(busy, taken)
    # the start strobe inside the run changed nothing: the first run's trials, in order
    assert [decode(cfg, p) for p in got] == [
        decode(cfg, p) for p in _busy_trace(ReplicatedEngine(cfg, 4), 6)[2]
    ]
    assert_matches([decode(cfg, p) for p in got], golden(cfg, 6, 5, 0))


def _busy_covers(busy, taken):
    return all(busy[: taken[-1] + 1]) and not any(busy[taken[-1] + 1 :])


def test_a_busy_that_ends_with_the_engines_is_caught():
    # the companion: busy from the engines alone falls while results still wait to go out
    cfg = Config.paper(n=3, **FAST)

    class EnginesOnly(ReplicatedEngine):
        def elaborate(self, platform):
            m = super().elaborate(platform)
            engines = [m.submodules[f"engine{r}"] for r in range(self.replicas)]
            m.d.comb += self.busy.eq(Cat(*(e.busy for e in engines)).any())
            return m

    busy, taken, _ = _busy_trace(EnginesOnly(cfg, 4), 6)
    assert len(taken) == 6 and not _busy_covers(busy, taken)
    busy, taken, _ = _busy_trace(ReplicatedEngine(cfg, 4), 0)
    assert taken == [] and not any(busy)  # nothing to run: never busy
