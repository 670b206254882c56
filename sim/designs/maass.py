"""Maass's Boolean demonstration: n-bit parity by one k-WTA gate over positive weighted sums,
its design entry and scoreboard.

Trial t presents the input word t mod 2**n, so a run of 2**n trials from 0 checks every input.
Each trial's input word, the gate's value, all m k-WTA outputs and the clocks it took must
equal the golden model (``gaba.golden.maass``), whose gate value is the parity of the input
word (``maass.trials`` returns both).
"""

from __future__ import annotations

from gaba.golden import maass
from gaba.golden.kwta import serial_clocks
from gaba.hdl.maass import BooleanKwtaEngine, result_layout
from gaba.sim.designs.argmax import ScoreTrials

__all__ = ["MAASS_PARITY", "BooleanParity"]


class BooleanParity(ScoreTrials):
    """n-bit parity (XOR at d = 2) by one k-WTA gate over positive weighted sums."""

    name = "maass-parity"
    module = "gaba_maass_parity"
    title = "n-bit parity by one k-WTA gate over positive weighted sums (Maass 2000)"
    config_type = maass.MaassConfig
    options = {"n": "input bits (2: XOR)"}

    def component(self, cfg, *, debug: bool = False):
        return BooleanKwtaEngine(cfg)

    def result_layout(self, cfg):
        return result_layout(cfg)

    def golden(self, cfg, count: int, seed: int, *, first: int = 0):
        return maass.trials(cfg, count, first=first)

    def golden_rows(self, cfg, trials, seed, first):
        u, value, mask, _ = self.golden(cfg, trials, seed, first=first)
        clocks = serial_clocks(cfg.kwta)
        return [
            {
                "inputs": int(word),
                "value": int(v),
                "mask": sum(1 << j for j in range(cfg.gate.m) if row[j]),
                "clocks": clocks,
            }
            for word, v, row in zip(u.tolist(), value.tolist(), mask.tolist(), strict=True)
        ]


MAASS_PARITY = BooleanParity()
DESIGNS = (MAASS_PARITY,)
