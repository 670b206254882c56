"""The evidence-in cores on a board: noisy channel scores made on the chip, the winner on the LEDs.

Every design of the design registry that is the exported evidence-in core
(:class:`gaba.sim.designs.core.EvidenceCoreDesign`: ``nwta-core``, ``wta-core``) gets a
:class:`ChannelsBoard` here, made from the registry. Their board top is the channels example
(:class:`gaba.boards.tops.channels.ChannelsTop`): a generator of noisy channel scores feeds the
core, which runs trial after trial by itself and shows each winner on the LEDs
(``gaba build nwta-core --board ulx3s --n 8``; examples/ulx3s_channels/). The host link
answers INFO, STATUS, SUMMARY and ABORT (the host driver is the score engines',
:class:`gaba.boards.host.ScoreBoard`); there is no run to start, so ``gaba board run`` refuses
these designs. What the core decides is checked in Amaranth's simulator against the golden
model (tests/boards/tops/test_channels.py).
"""

from __future__ import annotations

from gaba.boards.design import BoardDesign
from gaba.boards.host import ScoreBoard
from gaba.boards.tops.channels import ChannelsTop, channel_info_payload, check_leds
from gaba.sim import designs as sim_designs
from gaba.sim.designs.core import EvidenceCoreDesign

__all__ = ["DESIGNS", "ChannelsBoard"]


class ChannelsBoard(BoardDesign):
    """An evidence-in core (an EvidenceCoreDesign) on a board, fed by the channels example."""

    top = ChannelsTop
    host = ScoreBoard
    count_help = "none (the channels example runs by itself)"
    no_check = "nothing to check (the channels example runs by itself)"
    after_abort = "; the channels example starts again from trial 0"

    def __init__(self, design: EvidenceCoreDesign):
        self.name = design.name

    def top_args(self) -> dict:
        return {"name": self.name}

    def info_payload(self, cfg, divisor: int, clock_hz: int, fifo_depth: int) -> bytes:
        return channel_info_payload(cfg, self.name, divisor, clock_hz, fifo_depth)

    def check_board(self, cfg, spec) -> None:
        ChannelsTop.check_config(cfg)
        check_leds(cfg, spec.leds)

    def clock_div(self, cfg, spec) -> int:
        # the core's network takes a step a clock: at n = 8 with latency 0 the ULX3S build
        # reached 24.8 MHz, just below its 25 MHz board clock: the divided clock (the trials'
        # pace and the baud rate follow the clock the top is given)
        return spec.clock_div

    def build_fields(self, cfg) -> dict:
        return {"latency": cfg.latency, "step_clocks": cfg.step_clocks, "lanes": cfg.lanes}

    def describe(self, cfg) -> str:
        return f"{self.name} n={cfg.n} ({cfg.architecture}) fed by noisy channel scores"

    def check_options(self, cfg, options: dict) -> dict:
        raise ValueError(
            f"{self.name}'s board top runs its trials by itself and shows each winner on the "
            "LEDs; there is no run to start (gaba board info, status and abort talk to it)"
        )

    def run(self, board, cfg, *, seed, count, check, adopt, source, progress=None, **options):
        self.check_options(cfg, options)


#: A board entry for every evidence-in core of the design registry, in its order.
DESIGNS = tuple(
    ChannelsBoard(d) for d in sim_designs.REGISTRY.values() if isinstance(d, EvidenceCoreDesign)
)
