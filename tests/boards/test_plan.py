"""gaba.boards.plan: block RAM counts from the memories' shapes, and the planner's options."""

import pytest

from gaba.boards import plan
from gaba.golden.config import Config
from gaba.hdl import folded


@pytest.mark.parametrize(
    ("family", "depth", "width", "blocks"),
    [
        ("ice40", 1024, 36, 9),  # 1024 x 4
        ("ice40", 1024, 46, 12),
        ("ice40", 1024, 32, 8),
        ("ice40", 256, 36, 3),  # 256 x 16
        ("ice40", 512, 46, 6),  # 512 x 8
        ("ecp5", 1024, 36, 2),  # 1024 x 18
        ("ecp5", 512, 46, 2),  # 512 x 36
        ("ecp5", 16384, 1, 1),
        ("ecp5", 16, 32, 1),
    ],
)
def test_memory_blocks_take_the_cheapest_aspect_ratio(family, depth, width, blocks):
    assert plan.memory_blocks(family, depth, width) == blocks


def test_lane_memories_are_the_lane_words():
    cfg = Config.paper(n=1024, lanes=4, latency=1)
    mems = dict((name, (d, w)) for name, d, w in plan.lane_memories(cfg))
    assert mems == {
        "state": (256, cfg.x_state_bits + cfg.eta_bits),
        "gen": (256, 32 + cfg.x_bits),
        "salt": (256, 32),
    }
    assert folded.gen_word(cfg.replace(latency=0)).size == 32


@pytest.fixture
def costs(monkeypatch):
    fake = plan.BoardCosts(
        family="ecp5",
        fixed_luts=3000,
        lane_luts=1000,
        fixed_ffs=2000,
        lane_ffs=800,
        fmax_mhz=60.0,
        pll_mhz=50.0,
        builds=("test",),
    )
    monkeypatch.setitem(plan.COSTS, "ulx3s", fake)
    return fake


def test_plan_lists_every_lane_count_below_n(costs):
    steps, options = plan.plan("ulx3s", 64, trials=4)
    assert steps > 0
    assert [o.lanes for o in options] == [1, 2, 4, 8, 16, 32]
    for o in options:
        cfg = Config.paper(n=64, lanes=o.lanes, latency=1, delta=0.1)
        assert o.luts == 3000 + 1000 * o.lanes and o.ffs == 2000 + 800 * o.lanes
        lane = sum(
            plan.memory_blocks("ecp5", d, w)
            for name, d, w in plan.lane_memories(cfg)
            if d > plan.LUT_RAM_DEPTH["ecp5"] and (name != "salt" or d > plan.SMALL_ROM)
        )
        assert o.brams == lane * o.lanes + plan.fixed_brams("ecp5")
        assert o.clocks_per_step == folded.pass_clocks(cfg)
        assert o.decision_latency_us == pytest.approx(steps * o.clocks_per_step / 50.0)
        assert o.decisions_per_second == pytest.approx(1e6 / o.decision_latency_us)
        assert o.fits


def test_shallow_memories_take_no_block_ram(costs):
    # n = 256 with 16 lanes: 16 rows a lane, LUT RAM on the ECP5 (the build: 1 block RAM)
    _, options = plan.plan("ulx3s", 256, trials=1)
    assert {o.lanes: o.brams for o in options}[16] == plan.fixed_brams("ecp5") == 1


def test_plan_says_what_does_not_fit(costs):
    _, options = plan.plan("ulx3s", 16384, trials=1)
    fits = {o.lanes: o.fits for o in options}
    # 208 block RAMs: 64 lanes of 256 rows need 4 each; 128 lanes need more logic than there is
    assert fits[32] and not fits[64] and not fits[128]


def test_plan_needs_a_board_with_measured_costs(monkeypatch):
    with pytest.raises(ValueError, match="^Board must be one of icebreaker, ulx3s, not 'nosuch'"):
        plan.plan("nosuch", 64)
    monkeypatch.delitem(plan.COSTS, "ulx3s", raising=False)
    with pytest.raises(ValueError, match="no measured folded-network costs for 'ulx3s'"):
        plan.plan("ulx3s", 64)
