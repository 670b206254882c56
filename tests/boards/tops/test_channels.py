# amaranth: UnusedElaboratable=no
"""gaba.boards.tops.channels: the channels example's board top in Amaranth's simulator.

The source streams exactly what its golden twin (``channel_evidence``) computes; the whole top
(source, core, host link) runs a few paced trials and its LEDs show, trial by trial, the
winner ``gaba.golden.evidence.run_evidence`` picks on that evidence; the golden model fed
another channel as the stronger, or another generator state, disagrees with the LEDs. The
parameters' checks and INFO need no simulator; the ULX3S bitstream is marked ``synth``.
"""

from __future__ import annotations

import pytest

from gaba.boards import designs as board_designs
from gaba.boards import protocol as P
from gaba.boards.tops.channels import (
    STATE,
    ChannelSource,
    ChannelsTop,
    channel_evidence,
    channel_info_payload,
    default_noise_shift,
    led_pattern,
)
from gaba.golden.config import Config
from gaba.golden.evidence import Registers, channel_trials, run_evidence
from gaba.sim import designs
from tests.simulate import simulate

CFG = Config.paper(n=4, delta=0.2, dt=2**-4, horizon=40.0)  # 640 steps at most
LEDS = 8
HOLD, VECTORS, PER_CHANNEL = 16, 4, 1
PACE = 1200  # clocks a trial: above the longest trial (hashes, beats, 640 steps)
TRIALS = 6


def golden_leds(cfg, trials, *, seed=0, **source):
    """The LEDs after each of ``trials`` trials as the golden model decides them."""
    evidence, strong = channel_evidence(cfg, trials, hold=HOLD, **source)
    res = run_evidence(cfg, evidence, seed, registers=Registers(hold=HOLD))
    leds = [
        led_pattern(cfg.n, LEDS, int(w), bool(d))
        for w, d in zip(res.winner, res.decided, strict=True)
    ]
    return leds, res, strong


def test_the_source_streams_its_golden_twin():
    shift = 3  # noise above delta: values clipped at 0 and above b_max are streamed too
    want, strong = channel_evidence(CFG, 3, vectors=2, per_channel=2, noise_shift=shift)
    assert list(strong) == [0, 0, 1]
    dut = ChannelSource(CFG, vectors=2, per_channel=2, noise_shift=shift, trial_clocks=40)
    got = []

    async def bench(ctx):
        ctx.set(dut.evidence.ready, 1)
        clock = 0
        while len(got) < 3 * 2 * CFG.n:
            _, _, valid, payload, strong_now = await ctx.tick().sample(
                dut.evidence.valid, dut.evidence.payload, dut.strong
            )
            if valid:
                got.append((payload.value, payload.last, strong_now, clock // 40))
            clock += 1

    simulate(dut, bench)
    values = [v for t in want for v in t.ravel()]
    assert [g[0] for g in got] == values
    assert max(values) > CFG.b_hi  # the core clamps these
    assert [g[1] for g in got] == ([0] * (2 * CFG.n - 1) + [1]) * 3
    assert [g[2] for g in got] == [s for s in strong for _ in range(2 * CFG.n)]
    assert [g[3] for g in got] == [t for t in range(3) for _ in range(2 * CFG.n)]  # paced


def run_top(trials=TRIALS, cfg=CFG, pace=PACE):
    """The top's LEDs just before each trial after the first starts (trial t's result)."""
    top = ChannelsTop(
        cfg,
        divisor=4,
        clock_hz=1_000_000,
        leds=LEDS,
        trial_clocks=pace,
        hold=HOLD,
        vectors=VECTORS,
        per_channel=PER_CHANNEL,
    )
    leds = []

    async def bench(ctx):
        for _ in range(trials):
            await ctx.tick().repeat(pace)
            leds.append(ctx.get(top.leds))

    simulate(top, bench)
    return leds


@pytest.fixture(scope="module")
def shown():
    return run_top()


def test_the_leds_show_the_golden_model_s_winners(shown):
    want, res, strong = golden_leds(CFG, TRIALS, vectors=VECTORS, per_channel=PER_CHANNEL)
    assert res.steps.max() + 300 < PACE  # each trial ends before the next starts
    assert res.decided.all() and list(res.winner) == list(strong)  # the strong channel wins
    assert shown == want
    assert shown[:4] == [0x81, 0x82, 0x84, 0x88]  # one-hot, the decided LED on


def test_the_folded_core_shows_the_same_winners():
    # the core on the folded network (2 lanes, 6 clocks a step): the same LEDs, trial by trial
    folded = CFG.replace(lanes=2, latency=1)
    want, res, _ = golden_leds(folded, 3, vectors=VECTORS, per_channel=PER_CHANNEL)
    assert res.decided.all() and res.steps.max() * 6 + 300 < PACE
    shown = run_top(3, folded)
    assert shown == want
    # companion: the golden model of other evidence (the stronger channel moving every other
    # trial) disagrees
    assert shown != golden_leds(folded, 3, vectors=VECTORS, per_channel=2)[0]


def test_the_golden_model_of_other_evidence_disagrees(shown):
    # another channel stronger in every other trial
    assert shown != golden_leds(CFG, TRIALS, vectors=VECTORS, per_channel=2)[0]
    # gaba's own noisy channel scores (another stronger channel drawn at random each trial)
    other = channel_trials(CFG, TRIALS, 3, vectors=VECTORS)[0]
    res = run_evidence(CFG, other, 0, registers=Registers(hold=HOLD))
    assert shown != [
        led_pattern(CFG.n, LEDS, int(w), bool(d))
        for w, d in zip(res.winner, res.decided, strict=True)
    ]
    # the same vectors from another generator state: other noise, other values
    ours = channel_evidence(CFG, TRIALS, vectors=VECTORS, per_channel=PER_CHANNEL)[0]
    theirs = channel_evidence(
        CFG, TRIALS, vectors=VECTORS, per_channel=PER_CHANNEL, state=STATE ^ 1
    )[0]
    assert all((a != b).any() for a, b in zip(ours, theirs, strict=True))


def test_led_patterns():
    assert led_pattern(4, 8, 2, True) == 0b1000_0100
    assert led_pattern(8, 8, 5, True) == 0b1000_0101  # binary: one-hot needs n < 8
    assert led_pattern(8, 8, 5, False) == 0


def test_the_board_entries_and_info():
    for name in ("nwta-core", "wta-core"):
        entry = board_designs.get(name)
        assert entry.top is ChannelsTop and entry.design is designs.get(name)
        cfg = entry.design.config(n=8)
        info = P.ScoreInfo.decode(entry.info_payload(cfg, 217, 25_000_000, 32))
        assert (info.design, info.n, info.inputs, info.clock_hz) == (name, 8, 0, 25_000_000)
        assert info.config_digest == cfg.digest()
    with pytest.raises(ValueError, match="16 bytes"):
        channel_info_payload(CFG, "a-very-long-design-name", 4, 1, 2)
    with pytest.raises(ValueError, match="there is no run to start"):
        board_designs.get("nwta-core").check_options(CFG, {})


def test_bad_parameters_are_refused():
    link = {"divisor": 4, "clock_hz": 1_000_000, "leds": 8}
    for kwargs, message in (
        ({"vectors": 0}, "Vectors a trial must be an integer in 1..65536, not 0"),
        ({"hold": 1 << 16}, r"Steps a vector \(hold\) must be an integer in 1..65535"),
        ({"per_channel": 1.5}, "Trials a channel is the stronger must be an integer"),
        ({"noise_shift": 9}, "Noise shift must be an integer in -8..8, not 9"),
        ({"state": 0}, "state must be a non-zero 32-bit word, not 0"),
        ({"seed": -1}, "Seed must be an integer in 0..2\\*\\*32-1, not -1"),
        ({"trial_clocks": -1}, "Clocks a trial must be an integer from 0, not -1"),
    ):
        with pytest.raises(ValueError, match=message):
            ChannelsTop(CFG, **link, **kwargs)
    with pytest.raises(ValueError, match="3 LEDs, not 2"):
        ChannelsTop(CFG, **{**link, "leds": 2})
    with pytest.raises(ValueError, match="step_clocks 1, not 2"):
        ChannelsTop(Config.paper(n=4, step_clocks=2), **link)
    with pytest.raises(ValueError, match="Trial count must be a positive integer, not 0"):
        channel_evidence(CFG, 0)
    with pytest.raises(ValueError, match="gaba Config"):
        channel_evidence(3, 1)
    assert default_noise_shift(CFG) == 1


@pytest.mark.synth
def test_ulx3s_bitstream(tmp_path):
    from gaba.boards.build import build

    cfg = designs.get("nwta-core").config(n=8)
    r = build(cfg, "ulx3s", out=tmp_path / "channels", design="nwta-core")
    assert r.kind == "nwta-core" and r.bitstream and r.fmax_mhz >= r.system_mhz
