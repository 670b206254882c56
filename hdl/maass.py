"""Hardware of Maass's Boolean demonstration (``gaba.golden.maass``): one k-WTA gate over
positive weighted sums of n input bits computes n-bit parity, which no threshold gate can.

:class:`BooleanKwtaEngine` is a trial engine (``gaba.hdl.argmax.ScoreEngine``): trial t
presents the input word u = t mod 2**n (its n low bits), forms the gate's m weighted sums
(each a constant bias plus the weights of the bits that are set: adders of constants, no
multiplier) and selects their k largest with the bit-serial search (``gaba.hdl.kwta.KWinners``,
width + 2 clocks a trial). The result is the input word, the gate's value (output 0) and all m
outputs.
"""

from __future__ import annotations

from amaranth.hdl import Const, Mux, unsigned
from amaranth.lib import data

from gaba.golden.kwta import serial_clocks
from gaba.golden.maass import MaassConfig
from gaba.hdl.argmax import ScoreEngine
from gaba.hdl.kwta import KWinners

__all__ = ["BooleanKwtaEngine", "result_layout"]


def result_layout(cfg: MaassConfig) -> data.StructLayout:
    """One trial's result: the input word, the gate's value, the k-WTA's outputs (bit j: sum
    j is among the k largest), the clocks from load to result."""
    return data.StructLayout(
        {
            "inputs": unsigned(cfg.n),
            "value": 1,
            "mask": unsigned(cfg.gate.m),
            "clocks": unsigned(serial_clocks(cfg.kwta).bit_length()),
        }
    )


class BooleanKwtaEngine(ScoreEngine):
    """n-bit parity by one k-WTA gate over positive weighted sums (module docstring)."""

    def __init__(self, cfg: MaassConfig):
        if not isinstance(cfg, MaassConfig):
            raise ValueError(f"The Boolean k-WTA engine needs a MaassConfig, not {cfg!r}")
        super().__init__(cfg, result_layout(cfg))

    def draw(self, m, key, trial):
        gate = self._cfg.gate
        bits = trial[: self._cfg.n]  # the input word is the trial's index
        # (the largest sum, every bit set, fits the gate's width: the slice drops only zeros)
        return [
            (Const(c, gate.width) + sum(Mux(bits[i], w, 0) for i, w in enumerate(row) if w))[
                : gate.width
            ]
            for row, c in zip(gate.weights, gate.bias, strict=True)
        ]

    def select(self, m, drawn, load, clocks, trial):
        m.submodules.select = sel = KWinners(self._cfg.kwta)
        m.d.comb += [sel.load.eq(load), *(sel.i[j].eq(v) for j, v in enumerate(drawn))]
        inputs = trial[: self._cfg.n]  # still from the trial's load to its result's end
        return sel.done, {"inputs": inputs, "value": sel.mask[0], "mask": sel.mask}
