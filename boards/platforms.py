"""The boards: what a build needs to know of each (:class:`BoardSpec`), and :class:`PlatformTop`,
which puts a board top on an amaranth-boards platform.

- iCEBreaker (``icebreaker``): Lattice iCE40UP5K (5280 logic cells, 30 block RAMs, 8 DSPs),
  12 MHz clock. The FTDI FT2232H's second channel is the UART (``/dev/ttyUSB1`` on Linux);
  the red LED (pin 11) shows a run in progress, the green one (pin 37) that the last trial
  decided for the top-input option.
- ULX3S 85F (``ulx3s``): Lattice ECP5 LFE5U-85F (83640 LUT4s, 208 block RAMs, 156 18x18
  multipliers), 25 MHz clock. The FT231X is the UART (``/dev/ttyUSB0``); LED 0 shows a run in
  progress, LED 1 that the last trial decided for the top-input option, LEDs 2..7 the last
  winner's low bits.

Both UARTs run at 115200 baud by default. The amaranth-boards platforms are imported only
when a build asks for one.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from amaranth.hdl import ClockDomain, ClockSignal, Elaboratable, Instance, Module, Mux, Signal
from amaranth.lib import io
from amaranth.lib.cdc import ResetSynchronizer

__all__ = [
    "ICEBREAKER",
    "ULX3S",
    "BoardSpec",
    "Ice40Pll",
    "Pll",
    "PlatformTop",
    "board",
    "board_names",
    "ecp5_pll",
    "ice40_pll",
]


@dataclass(frozen=True)
class Pll:
    """An ECP5 EHXPLLL setting: CLKOP = f_in * CLKFB_DIV / CLKI_DIV, fed back from CLKOP,
    with the VCO at CLKOP * CLKOP_DIV."""

    in_hz: float
    clki_div: int
    clkfb_div: int
    clkop_div: int

    @property
    def out_hz(self) -> float:
        return self.in_hz * self.clkfb_div / self.clki_div

    @property
    def vco_hz(self) -> float:
        return self.out_hz * self.clkop_div


def ecp5_pll(in_hz: float, target_hz: float) -> Pll:
    """The EHXPLLL setting whose output is closest to ``target_hz`` without exceeding it
    (the design is timed at the target), within the ECP5's ranges: phase detector 3.125 to
    400 MHz, VCO 400 to 800 MHz, output 3.125 to 400 MHz (ties: the VCO nearest 600 MHz).
    ValueError when none lies within 5 % below the target."""
    best = None
    for clki in range(1, 129):
        pfd = in_hz / clki
        if not 3.125e6 <= pfd <= 400e6:
            continue
        for clkfb in range(1, 81):
            out = pfd * clkfb
            if not 3.125e6 <= out <= min(400e6, target_hz):
                continue
            for clkop in range(1, 129):
                if 400e6 <= out * clkop <= 800e6:
                    key = (-out, abs(out * clkop - 600e6))
                    if best is None or key < best[0]:
                        best = (key, Pll(in_hz, clki, clkfb, clkop))
    if best is None or best[1].out_hz < 0.95 * target_hz:
        raise ValueError(
            f"No ECP5 PLL setting makes {target_hz / 1e6:g} MHz from {in_hz / 1e6:g} MHz "
            "within 5 % (outputs 3.125 to 400 MHz)"
        )
    return best[1]


@dataclass(frozen=True)
class Ice40Pll:
    """An iCE40 SB_PLL40_PAD (or _CORE) setting, simple feedback: the phase detector at
    f_in / (DIVR + 1), the VCO at that times (DIVF + 1), PLLOUT = VCO / 2^DIVQ."""

    in_hz: float
    divr: int
    divf: int
    divq: int

    @property
    def pfd_hz(self) -> float:
        return self.in_hz / (self.divr + 1)

    @property
    def vco_hz(self) -> float:
        return self.pfd_hz * (self.divf + 1)

    @property
    def out_hz(self) -> float:
        return self.vco_hz / 2**self.divq

    @property
    def filter_range(self) -> int:
        """The loop filter's setting for the phase detector's frequency (icepll's table)."""
        for k, top in enumerate((17e6, 26e6, 44e6, 66e6, 101e6), 1):
            if self.pfd_hz < top:
                return k
        return 6


def ice40_pll(in_hz: float, target_hz: float) -> Ice40Pll:
    """The iCE40 PLL setting whose output is closest to ``target_hz`` without exceeding
    it, within the iCE40's ranges (icepll's): phase detector 10 to 133 MHz, VCO 533 to 1066
    MHz, output 16 to 275 MHz (ties: the lowest VCO). ValueError when none lies within 5 %
    below the target."""
    best = None
    for divr in range(16):
        for divf in range(128):
            for divq in range(1, 7):
                pll = Ice40Pll(in_hz, divr, divf, divq)
                if not (
                    10e6 <= pll.pfd_hz <= 133e6
                    and 533e6 <= pll.vco_hz <= 1066e6
                    and 16e6 <= pll.out_hz <= min(275e6, target_hz)
                ):
                    continue
                key = (-pll.out_hz, pll.vco_hz)
                if best is None or key < best[0]:
                    best = (key, pll)
    if best is None or best[1].out_hz < 0.95 * target_hz:
        raise ValueError(
            f"No iCE40 PLL setting makes {target_hz / 1e6:g} MHz from {in_hz / 1e6:g} MHz "
            "within 5 % (outputs 16 to 275 MHz)"
        )
    return best[1]


@dataclass(frozen=True)
class BoardSpec:
    """What the build needs to know about one board.

    ``cells`` maps the report's keys (luts, ffs, brams, dsps) to nextpnr's cell types;
    ``stat_cells`` maps them to Yosys' cell-name prefixes after synthesis.
    """

    name: str
    platform_class: str  # "module:class" of the amaranth-boards platform
    device: str
    family: str  # "ice40" or "ecp5": names nextpnr-<family>
    packer: str  # the bitstream packer (icepack, ecppack)
    clock_hz: float
    leds: int
    cells: dict
    stat_cells: dict
    bitstream: str  # file suffix
    dsp_off: str  # synth option that keeps multipliers out of the DSP blocks
    dsp_on: str  # synth option that puts them there
    dsp_auto: bool  # whether dsp="auto" tries the DSP blocks (see the boards below)
    capacity: dict  # the device's resources, for messages: name -> count (LUTs first)
    # default clocks per Euler step (Config.step_clocks) of the board's builds, by n
    step_clocks: Callable[[int], int]
    # default inhibition latency (Config's) of the board's one-clock builds, by n: the
    # inhibition computed ahead, off the step's loop (gaba.hdl.nwta.inhibition_stages)
    latency: Callable[[int], int]
    # the design's clock is the board clock divided by this, by default, when its longest
    # path is too long for the board clock (the design's board entry says when: one clock
    # per Euler step, the Foldiak layer); otherwise the default is the board clock
    clock_div: int
    # the build-plan override and text that constrain the divided clock net ``clk``
    clock_constraint: tuple[str, str]
    # the PLL that makes the design's clock (ecp5_pll, ice40_pll), or None: none in gaba
    pll: Callable[[float, float], Pll | Ice40Pll] | None = None

    @property
    def tools(self) -> dict:
        """amaranth's tool name -> the YoWASP command that provides it."""
        names = ("yosys", f"nextpnr-{self.family}", self.packer)
        return {name: f"yowasp-{name}" for name in names}

    @property
    def dsp_count(self) -> int:
        return self.capacity["DSP blocks"]

    @property
    def lut_unit(self) -> str:
        """What the device's LUT count counts (logic cells, LUT4s)."""
        return next(iter(self.capacity))

    def capacity_text(self) -> str:
        return ", ".join(f"{v} {k}" for k, v in self.capacity.items())

    def platform(self):
        """A new amaranth-boards platform of this board."""
        module, name = self.platform_class.split(":")
        return getattr(importlib.import_module(module), name)()

    def make_platform(self, target_hz: float, divide: int):
        """The amaranth-boards platform; undivided, its clock constrained at ``target_hz``
        (a divided clock gets its constraint from the board top)."""
        plat = self.platform()
        if divide > 1:
            return plat
        name, number = plat.default_clk, 0
        res = copy.copy(plat.resources[name, number])
        from amaranth.build import Clock

        res.clock = Clock(target_hz)
        plat.resources[name, number] = res
        return plat


def _cells(lut: str, ff: str, bram: str, dsp: str) -> dict:
    return {"luts": lut, "ffs": ff, "brams": bram, "dsps": dsp}


ICEBREAKER = BoardSpec(
    name="icebreaker",
    platform_class="amaranth_boards.icebreaker:ICEBreakerPlatform",
    device="iCE40UP5K",
    family="ice40",
    packer="icepack",
    clock_hz=12e6,
    leds=2,
    # an iCE40 logic cell is one LUT4 and one flip-flop: nextpnr counts cells, not LUTs, and
    # keeps no flip-flop count (the report takes synthesis')
    cells={"luts": "ICESTORM_LC", "brams": "ICESTORM_RAM", "dsps": "ICESTORM_DSP"},
    stat_cells=_cells(("SB_LUT4",), ("SB_DFF",), ("SB_RAM",), ("SB_MAC16",)),
    bitstream=".bin",
    dsp_off="",
    dsp_on="-dsp",
    # The network's multipliers would use the SB_MAC16s combinationally, and nextpnr-ice40
    # times those as a clock domain of their own (a constant clock): its fmax would leave out
    # the paths through them. With "auto" the iCE40 builds use LUTs only; --dsp yes forces.
    dsp_auto=False,
    capacity={"logic cells": 5280, "block RAMs": 30, "DSP blocks": 8},
    # One Euler step per clock (gaba.hdl.nwta.LeanNeuron: only the x loop in the clock, the
    # noise and, with latency >= 1, the inhibition computed ahead): 26.6 MHz at n = 3 with
    # latency 2, over twice the board clock, and a third fewer logic cells per neuron than
    # the 8-clock step (docs/boards.md).
    step_clocks=lambda n: 1,
    # latency 2: D and beta*D each a clock of their own (26.6 MHz at n = 3)
    latency=lambda n: 2,
    clock_div=2,
    clock_constraint=("add_constraints", "set_frequency {net} {mhz}"),
    pll=ice40_pll,
)

ULX3S = BoardSpec(
    name="ulx3s",
    platform_class="amaranth_boards.ulx3s:ULX3S_85F_Platform",
    device="LFE5U-85F",
    family="ecp5",
    packer="ecppack",
    clock_hz=25e6,
    leds=8,
    cells=_cells("TRELLIS_COMB", "TRELLIS_FF", "DP16KD", "MULT18X18D"),
    stat_cells=_cells(("LUT4",), ("TRELLIS_FF",), ("DP16KD",), ("MULT18X18D",)),
    bitstream=".bit",
    dsp_off="-nodsp",
    dsp_on="",
    dsp_auto=True,
    capacity={"LUT4s": 83640, "block RAMs": 208, "DSP blocks": 156},
    # One Euler step per clock (gaba.hdl.nwta.LeanNeuron): 70.7 MHz at n = 16 with latency
    # 3, 2.8x the board clock; each step takes one clock instead of 6 (docs/boards.md).
    step_clocks=lambda n: 1,
    # latency 3: the adder tree gets a register stage too (70.7 MHz at n = 16, 52.0 at L = 2)
    latency=lambda n: 3,
    clock_div=2,
    clock_constraint=("add_preferences", 'FREQUENCY NET "{net}" {mhz} MHZ;'),
    pll=ecp5_pll,
)

BOARDS = {spec.name: spec for spec in (ICEBREAKER, ULX3S)}


def board_names() -> tuple[str, ...]:
    return tuple(BOARDS)


def board(name: str) -> BoardSpec:
    """The board called ``name``, or a ValueError naming the choices."""
    try:
        return BOARDS[name]
    except KeyError:
        raise ValueError(f"Board must be one of {', '.join(BOARDS)}, not {name!r}") from None


class PlatformTop(Elaboratable):
    """A board top (a :class:`gaba.boards.hostlink.HostLinkTop`) on an amaranth-boards
    platform: its ``uart`` 0 and ``led`` 0..k-1 resources.

    Parameters
    ----------
    top : HostLinkTop
    divide : int
        The sync domain's clock is the board clock divided by this (1: the platform's own
        clock and power-on reset). A divided clock comes from a flip-flop (nextpnr puts it on a
        global buffer); the sync domain is held in reset for 15 us after configuration, as
        amaranth's platforms do (iCE40 block RAMs read zeros until then).

    pll : Pll, Ice40Pll or None
        The sync domain's clock is the PLL's output (an ECP5 EHXPLLL fed from the clock
        pin's buffer, an iCE40 SB_PLL40_PAD on the clock pin; ``divide`` must be 1); the
        domain is held in reset until the PLL locks.

    The divided clock's net, and the PLL's output, is ``clk`` (the sync domain's clock
    signal, the name the netlist keeps); the build constrains it by that name.
    """

    def __init__(self, top, *, divide: int = 1, pll: Pll | Ice40Pll | None = None):
        if not isinstance(divide, int) or divide < 1:
            raise ValueError(f"Clock divider must be a positive integer, not {divide!r}")
        if pll is not None and divide != 1:
            raise ValueError("A board top takes its clock from a PLL or a divider, not both")
        self.top, self.divide, self.pll = top, divide, pll

    def elaborate(self, platform):
        m = Module()
        if self.pll is not None:
            self._pll_clock(m, platform)
        elif self.divide > 1:
            self._divided_clock(m, platform)
        m.submodules.top = top = self.top
        uart = platform.request("uart", 0, dir="-")
        m.submodules.uart_rx = rx = io.Buffer("i", uart.rx)
        m.submodules.uart_tx = tx = io.Buffer("o", uart.tx)
        m.d.comb += [top.rx.eq(rx.i), tx.o.eq(top.tx)]
        for k in range(len(top.leds)):
            m.submodules[f"led{k}"] = led = io.Buffer("o", platform.request("led", k, dir="-"))
            m.d.comb += led.o.eq(top.leds[k])
        return m

    def _divided_clock(self, m, platform):
        clk_io = platform.request(platform.default_clk, dir="-")
        m.submodules.clk_buf = buf = io.Buffer("i", clk_io)
        m.domains.board = ClockDomain("board", reset_less=True, local=True)
        m.d.comb += ClockSignal("board").eq(buf.i)
        count = Signal(range(self.divide))
        sysclk = Signal(name="sysclk")
        m.d.board += [
            count.eq(Mux(count == self.divide - 1, 0, count + 1)),
            sysclk.eq(count < (self.divide + 1) // 2),
        ]
        delay = int(15e-6 * platform.default_clk_frequency)
        timer, ready = Signal(range(delay + 1)), Signal()
        with m.If(timer == delay):
            m.d.board += ready.eq(1)
        with m.Else():
            m.d.board += timer.eq(timer + 1)
        m.domains.sync = sync = ClockDomain("sync")
        m.d.comb += sync.clk.eq(sysclk)
        m.submodules.reset_sync = ResetSynchronizer(~ready, domain="sync")

    def _pll_clock(self, m, platform):
        pll = self.pll
        clk_io = platform.request(platform.default_clk, dir="-")
        clk, lock = Signal(name="clk"), Signal(name="pll_lock")
        if isinstance(pll, Ice40Pll):
            # the clock pin feeds the PLL directly: an input buffer on it would take the
            # pad the PLL needs (nextpnr: the PLL "conflicts with input ... on pin 35")
            m.submodules.pll = Instance(
                "SB_PLL40_PAD",
                p_FEEDBACK_PATH="SIMPLE",
                p_DIVR=pll.divr,
                p_DIVF=pll.divf,
                p_DIVQ=pll.divq,
                p_FILTER_RANGE=pll.filter_range,
                io_PACKAGEPIN=clk_io.io,
                i_RESETB=1,
                i_BYPASS=0,
                o_PLLOUTGLOBAL=clk,
                o_LOCK=lock,
            )
        else:
            m.submodules.clk_buf = buf = io.Buffer("i", clk_io)
            self._ecp5_pll(m, pll, buf.i, clk, lock)
        m.domains.sync = sync = ClockDomain("sync")
        m.d.comb += sync.clk.eq(clk)
        m.submodules.reset_sync = ResetSynchronizer(~lock, domain="sync")

    @staticmethod
    def _ecp5_pll(m, pll, clki, clk, lock):
        m.submodules.pll = Instance(
            "EHXPLLL",
            # nextpnr reads the frequencies from these attributes (ecppll's set)
            a_FREQUENCY_PIN_CLKI=f"{pll.in_hz / 1e6:g}",
            a_FREQUENCY_PIN_CLKOP=f"{pll.out_hz / 1e6:g}",
            a_ICP_CURRENT="12",
            a_LPF_RESISTOR="8",
            a_MFG_ENABLE_FILTEROPAMP="1",
            a_MFG_GMCREF_SEL="2",
            p_PLLRST_ENA="DISABLED",
            p_INTFB_WAKE="DISABLED",
            p_STDBY_ENABLE="DISABLED",
            p_DPHASE_SOURCE="DISABLED",
            p_OUTDIVIDER_MUXA="DIVA",
            p_CLKI_DIV=pll.clki_div,
            p_CLKOP_ENABLE="ENABLED",
            p_CLKOP_DIV=pll.clkop_div,
            p_CLKOP_CPHASE=pll.clkop_div // 2,
            p_CLKOP_FPHASE=0,
            p_FEEDBK_PATH="CLKOP",
            p_CLKFB_DIV=pll.clkfb_div,
            i_RST=0,
            i_STDBY=0,
            i_CLKI=clki,
            i_CLKFB=clk,
            i_PHASESEL0=0,
            i_PHASESEL1=0,
            i_PHASEDIR=1,
            i_PHASESTEP=1,
            i_PHASELOADREG=1,
            i_PLLWAKESYNC=0,
            i_ENCLKOP=0,
            o_CLKOP=clk,
            o_LOCK=lock,
        )
